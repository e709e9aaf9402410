// The command line: `npm run workshop|verify|solution -- ...`.
// Thin on purpose: it picks the command and hands over its arguments; each
// command lives in runner/commands/ and returns the exit code.
import pc from 'picocolors';
import { UsageError } from './commands/args.ts';
import { DescriptionError } from './description.ts';
import { stepNamesHelp } from './steps.ts';

type Command = (args: string[]) => Promise<number>;

const load = (name: string) => async (args: string[]) => {
  const mod = (await import(`./commands/${name}.ts`)) as { run: Command };
  return mod.run(args);
};

const commands: Record<string, Command> = {
  verify: load('verify'),
  solution: load('solution'),
};

// `npm run workshop -- <sub>`: everything that is not the runner itself.
const workshopCommands: Record<string, Command> = {
  start: load('workshop'),
  export: load('export'),
  lint: load('lint'),
  restore: load('restore'),
  diff: load('diff'),
  list: load('list'),
  'check-content': load('check-content'),
};

function usage(): string {
  return [
    'Usage:',
    '  npm run workshop [-- --port N --no-open]   start the workshop: slides, your app, checks',
    '  npm run verify <step> [-- --dir PATH --json --watch --timeout MS]',
    '                                             check your app (workspace/) against a step',
    '  npm run solution <step> [-- --yes]         switch workspace/ to a step\'s solution, after a backup',
    '  npm run workshop -- list                   the steps, and your progress',
    '  npm run workshop -- diff <step>            what separates workspace/ from a step\'s solution',
    '  npm run workshop -- restore [backup]       list the backups, or put one back',
    '  npm run workshop -- export <dir>           every deck as a self-contained HTML page',
    '  npm run workshop -- lint                   check the decks',
    '  npm run workshop -- check-content          (authors) every solution, fixture, deck and slide link',
    'Any command takes --workshop DIR to serve another workshop (a folder with a workshop.json).',
    stepsLine(),
  ].join('\n');
}

/** "Steps are step1, step2, step3 (or 1, 2, 3).", from the workshop's description (if it can be read). */
function stepsLine(): string {
  try {
    return `Steps are ${stepNamesHelp()}.`;
  } catch (err) {
    return (err as Error).message;
  }
}

const asksForHelp = (args: string[]) => args.some((a) => a === '--help' || a === '-h');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (asksForHelp(argv)) {
    console.log(usage());
    return 0;
  }
  if (name === 'workshop') {
    const sub = rest[0] && !rest[0].startsWith('-') ? rest[0] : 'start';
    const command = workshopCommands[sub];
    if (!command) {
      console.error(`There is no workshop command "${sub}".\n${usage()}`);
      return 2;
    }
    return command(sub === rest[0] ? rest.slice(1) : rest);
  }
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(usage());
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof DescriptionError) {
      console.error(err.message);
      process.exitCode = 2;
      return;
    }
    // A bug of ours, not the learner's: say so plainly, with the stack for a report.
    console.error(pc.red('The workshop runner failed unexpectedly:'), err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  },
);
