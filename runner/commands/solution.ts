// `npm run solution <step> [-- --yes]`: replaces workspace/ with a step's
// solution, after a backup. Asks first unless --yes; with no terminal to ask
// on, refuses rather than guess.
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { oneStep, parseCommandArgs } from './args.ts';
import { display, places, switchTo, WorkspaceError, type SwitchPlan, type SwitchResult } from '../workspace/index.ts';

const usage = 'Usage: npm run solution <step> [-- --yes]';

async function ask(plan: SwitchPlan): Promise<boolean> {
  const workspace = display(places().workspace);
  const safety = plan.backup
    ? 'your files are backed up first'
    : `it is ${plan.was}'s solution as is, so it needs no backup`;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Replace ${workspace}/ with ${plan.to}'s solution (${safety})? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** What happened, in the words a learner needs, shared with `restore`. */
export function report(result: SwitchResult, what: string): void {
  const workspace = display(places().workspace);
  if (result.backupMade) {
    const b = result.backupMade;
    const leftOut = b.leftOut.length ? `; ${b.leftOut.map((x) => `${x}/`).join(', ')} not copied, carried over instead` : '';
    console.log(`Backed up ${workspace}/ to ${pc.bold(display(b.path))} (${b.files} files${leftOut}).`);
  }
  console.log(pc.green(`${workspace}/ is now ${what}.`));
  if (result.carried.length) console.log(`Kept your ${result.carried.join(', ')}.`);
  if (result.replace.length) {
    console.log(`Replaced by the new version (yours are in the backup): ${result.replace.join(', ')}.`);
  }
  if (result.backupMade) console.log(`To get your files back: npm run workshop -- restore ${result.backupMade.name}`);
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { yes: { type: 'boolean', short: 'y' } }, usage);
  const step = oneStep(parsed.positionals, usage);
  // `npm run solution step2 --yes` (without `--`) gives --yes to npm, which
  // passes it on as npm_config_yes: the learner meant it all the same.
  const yes = parsed.values.yes === true || process.env.npm_config_yes === 'true';
  if (!yes && !process.stdin.isTTY) {
    console.error(
      `Switching replaces ${display(places().workspace)}/ and there is no terminal to ask on; ` +
        `add --yes to go ahead: npm run solution ${step.name} -- --yes`,
    );
    return 2;
  }
  try {
    const result = await switchTo(step, yes ? {} : { confirm: ask });
    if (result.nothingToDo) {
      console.log(`${display(places().workspace)}/ already is ${step.name}'s solution; nothing to do.`);
      return 0;
    }
    if (!result.switched) {
      console.log('Nothing changed.');
      return 1;
    }
    report(result, `${step.name}'s solution`);
    return 0;
  } catch (err) {
    if (!(err instanceof WorkspaceError)) throw err;
    console.error(pc.red(err.message));
    return 1;
  }
}
