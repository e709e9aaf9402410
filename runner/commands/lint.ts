// `npm run workshop -- lint`: every deck problem, as `slides/step3.md:12: message`.
import pc from 'picocolors';
import { lintDecks } from '../deck/lint.ts';
import { formatProblem } from '../deck/problem.ts';
import { steps } from '../steps.ts';

export async function run(args: string[]): Promise<number> {
  if (args.length) {
    console.error(`lint takes no arguments (got "${args.join(' ')}"): npm run workshop -- lint`);
    return 2;
  }
  const problems = lintDecks();
  for (const p of problems) console.log(formatProblem(p));
  if (problems.length) {
    console.error(pc.red(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the decks.`));
    return 1;
  }
  console.log(pc.green(`The ${steps.length} decks are fine.`));
  return 0;
}
