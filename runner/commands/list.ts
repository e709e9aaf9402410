// `npm run workshop -- list`: the steps(), their titles, the learner's progress,
// and which solution the workspace is, if it is one as is.
import pc from 'picocolors';
import { readProgress } from '../progress.ts';
import { steps } from '../steps.ts';
import { display, matchingStep, places, recoverWorkspace, WorkspaceError } from '../workspace/index.ts';
import { existsSync } from 'node:fs';
import { parseCommandArgs, UsageError } from './args.ts';

const usage = 'Usage: npm run workshop -- list';

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, usage);
  if (positionals.length) throw new UsageError(`Unexpected argument: ${positionals.join(' ')}.\n${usage}`);
  try {
    await recoverWorkspace();
  } catch (err) {
    if (!(err instanceof WorkspaceError)) throw err;
    console.error(pc.yellow(err.message)); // listing still works
  }
  const progress = await readProgress();
  const matching = await matchingStep();
  const width = Math.max(...steps().map((s) => s.title.length));
  for (const step of steps()) {
    const status = progress.steps[step.name]?.status;
    const shown = status === 'passed' ? pc.green('passed') : status === 'skipped' ? pc.yellow('skipped') : pc.dim('not yet');
    const here = matching === step.name ? pc.cyan('  ← workspace/') : '';
    console.log(`  ${pc.bold(step.name)}  ${step.title.padEnd(width)}  ${shown}${here}`);
  }
  const workspace = `${display(places().workspace)}/`;
  if (!existsSync(places().workspace)) console.log(`${workspace} does not exist yet: \`npm run workshop\` creates it.`);
  else if (matching === 'start') console.log(`${workspace} is the starting app, untouched.`);
  else if (matching) console.log(`${workspace} is ${matching}'s solution, untouched.`);
  else console.log(`${workspace} holds your own work.`);
  return 0;
}
