// `npm run workshop -- diff <step>`: what separates workspace/ from a step's
// solution, as a coloured unified diff (yours → the solution).
import pc from 'picocolors';
import { formatDiff } from '../workspace/diff.ts';
import { oneStep, parseCommandArgs } from './args.ts';
import { diffAgainst, WorkspaceError } from '../workspace/index.ts';

const usage = 'Usage: npm run workshop -- diff <step>';

export async function run(args: string[]): Promise<number> {
  const step = oneStep(parseCommandArgs(args, {}, usage).positionals, usage);
  try {
    const diff = await diffAgainst(step);
    if (!diff.identical) console.log(pc.dim(`- your workspace/   + ${step.name}'s solution (steps/${step.name})\n`));
    console.log(formatDiff(diff, pc));
    return 0;
  } catch (err) {
    if (!(err instanceof WorkspaceError)) throw err;
    console.error(pc.red(err.message));
    return 1;
  }
}
