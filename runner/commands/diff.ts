// `npm run workshop -- diff <step>`: what separates workspace/ from a step's
// solution, as a coloured unified diff (yours → the solution).
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { formatDiff } from '../diff.ts';
import { findStep, unknownStepMessage } from '../steps.ts';
import { diffAgainst, WorkspaceError } from '../workspace.ts';

const usage = 'Usage: npm run workshop -- diff <step>';

export async function run(args: string[]): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args, allowPositionals: true, options: {} }));
  } catch (err) {
    console.error(`${(err as Error).message.split('. ')[0]}.\n${usage}`);
    return 2;
  }
  const [name, ...extra] = positionals;
  const step = name ? findStep(name) : undefined;
  if (!step) {
    console.error(unknownStepMessage(name));
    return 2;
  }
  if (extra.length) {
    console.error(`Name one step only.\n${usage}`);
    return 2;
  }
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
