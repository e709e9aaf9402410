// `npm run workshop -- lint`: every deck problem, as `slides/step3.md:12: message`,
// and every check whose slide link lands on no slide (or on two).
import pc from 'picocolors';
import { lintDecks } from '../deck/lint.ts';
import { formatProblem } from '../deck/problem.ts';
import { steps, workshop } from '../steps.ts';
import { lintSlideLinks } from '../verify/slide-links.ts';

export async function run(args: string[]): Promise<number> {
  if (args.length) {
    console.error(`lint takes no arguments (got "${args.join(' ')}"): npm run workshop -- lint`);
    return 2;
  }
  const problems = [...lintDecks(), ...(await lintSlideLinks(workshop()))];
  for (const p of problems) console.log(formatProblem(p));
  if (problems.length) {
    console.error(pc.red(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the decks and the checks' slide links.`));
    return 1;
  }
  console.log(pc.green(`The ${steps().length} decks are fine. Every check links a slide that is there.`));
  return 0;
}
