// The command line: `workshop [command] [options]`, the package's bin,
// which a workshop's package.json runs as `npm run workshop|verify|solution`.
// Thin on purpose: it picks the command and hands over its arguments; each
// command lives in commands/ and returns the exit code.
import { join } from 'node:path';
import pc from 'picocolors';
import { UsageError } from './commands/args.ts';
import { DescriptionError, MissingFoldersError, missingFolders } from './description.ts';
import { stepNamesHelp, workshop } from './steps.ts';
import { ChecksModuleError } from './verify/step-checks.ts';

type Command = (args: string[]) => Promise<number>;

const load = (name: string) => async (args: string[]) => {
  const mod = (await import(`./commands/${name}.ts`)) as { run: Command };
  return mod.run(args);
};

/**
 * The commands that run with a folder workshop.json names missing: the
 * runner (its page shows the problem in the step's pane and keeps serving
 * the rest), and init (which writes a workshop). Every other command
 * refuses, naming each missing folder (check-content the fixtures' too).
 */
const runsWithFoldersMissing = new Set(['start', 'init']);

// No command starts the workshop (`start` says so too).
const commands: Record<string, Command> = {
  start: load('workshop'),
  verify: load('verify'),
  solution: load('solution'),
  list: load('list'),
  diff: load('diff'),
  restore: load('restore'),
  export: load('export'),
  lint: load('lint'),
  'check-content': load('check-content'),
  init: load('init'),
  join: load('join'),
  leave: load('leave'),
  room: load('room'),
  // A verify in the terminal hands its report to the room through this (runner/room/terminal.ts).
  'room-send': load('room-send'),
};

/** Usage as the learner types it: `npm run …` from a workshop's scripts, `workshop …` otherwise. */
function usage(): string {
  // npm passes the script's command on: `workshop verify` when run as `npm run verify`.
  const npm = /^workshop\b/.test(process.env.npm_lifecycle_script ?? '');
  const sub = (args: string) => (npm ? `npm run workshop -- ${args}` : `workshop ${args}`);
  const lines: [string, string][] = [
    [npm ? 'npm run workshop [-- --port N --no-open]' : 'workshop [--port N --no-open]', 'start the workshop: slides, your app, checks'],
    [npm ? 'npm run verify <step> [-- --dir PATH --json --watch --timeout MS]' : 'workshop verify <step> [--dir PATH --json --watch --timeout MS]', 'check your app (workspace/) against a step'],
    [npm ? 'npm run solution <step> [-- --yes]' : 'workshop solution <step> [--yes]', "switch workspace/ to a step's solution, after a backup"],
    [sub('list'), 'the steps, and your progress'],
    [sub('diff <step>'), "what separates workspace/ from a step's solution"],
    [sub('restore [backup]'), 'list the backups, or put one back'],
    [sub('export <dir>'), 'every deck as a self-contained HTML page'],
    [sub('lint'), 'check the decks and the checks modules'],
    [sub('check-content'), '(authors) every solution, fixture, deck and slide link'],
    [sub('join <redis-url> --name <name>'), "report each verify to the instructor's room"],
    [sub('leave'), 'stop reporting to the room'],
    [sub('room <redis-url> [--port N --no-open]'), '(instructors) see the room: every learner, live'],
    [sub('init <dir>'), '(authors) write a new workshop, ready to run, in <dir>'],
  ];
  const width = Math.max(...lines.map(([c]) => c.length)) + 3;
  return [
    'Usage:',
    ...lines.map(([command, what]) => `  ${command.padEnd(width)}${what}`),
    'Any command takes --workshop DIR to serve another workshop (a folder with a workshop.json).',
    stepsLine(),
  ].join('\n');
}

/** "Steps are step1, step2, step3 (or 1, 2, 3).", from the workshop's description (if it can be read). */
function stepsLine(): string {
  try {
    return `Steps are ${stepNamesHelp()}.`;
  } catch (err) {
    // No workshop here (an author about to run init): the commands above are the help.
    if (err instanceof DescriptionError && err.problems[0]?.startsWith('there is no workshop.json')) return 'There is no workshop.json here or above: `workshop init <dir>` writes a new workshop.';
    return (err as Error).message;
  }
}

const asksForHelp = (args: string[]) => args.some((a) => a === '--help' || a === '-h');

async function main(argv: string[]): Promise<number> {
  if (asksForHelp(argv)) {
    console.log(usage());
    return 0;
  }
  const named = argv[0] !== undefined && !argv[0].startsWith('-');
  const name = named ? argv[0]! : 'start';
  const command = commands[name];
  if (!command) {
    console.error(`There is no workshop command "${name}".\n${usage()}`);
    return 2;
  }
  if (!runsWithFoldersMissing.has(name)) {
    const w = workshop();
    const missing = missingFolders(w, { fixtures: name === 'check-content' });
    if (missing.length) throw new MissingFoldersError(join(w.root, 'workshop.json'), missing);
  }
  return command(named ? argv.slice(1) : argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // The workshop's own mistakes (workshop.json, a checks module that cannot be built): said as they are, exit 2.
    if (err instanceof UsageError || err instanceof DescriptionError || err instanceof ChecksModuleError) {
      console.error(err.message);
      process.exitCode = 2;
      return;
    }
    // A bug of ours, not the learner's: say so plainly, with the stack for a report.
    console.error(pc.red('The workshop runner failed unexpectedly:'), err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  },
);
