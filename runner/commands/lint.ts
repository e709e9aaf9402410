// `npm run workshop -- lint`: every deck problem, as `slides/step3.md:12: message`,
// and every problem of the checks modules (verify/check-lint.ts): one that
// cannot be built, a slide link that lands on no slide (or on two), an id
// used twice, a `needs` that names no check that runs before.
import pc from 'picocolors';
import { lintDecks } from '../deck/lint.ts';
import { formatProblem } from '../deck/problem.ts';
import { steps, workshop } from '../steps.ts';
import { lintChecks } from '../verify/check-lint.ts';

export async function run(args: string[]): Promise<number> {
  if (args.length) {
    console.error(`lint takes no arguments (got "${args.join(' ')}"): npm run workshop -- lint`);
    return 2;
  }
  const problems = [...lintDecks(), ...(await lintChecks(workshop()))];
  for (const p of problems) console.log(formatProblem(p));
  if (problems.length) {
    console.error(pc.red(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the decks and the checks modules.`));
    return 1;
  }
  console.log(pc.green(`The ${steps().length} decks are fine. Every check links a slide that is there, has an id of its own and needs only checks that run before it.`));
  return 0;
}
