// `npm run workshop [-- --port N --no-open]`: the learner's home. Starts
// the UI, Redis and the apps (runner/workshop.ts), says where everything
// is, opens the browser, and runs until Ctrl-C, which stops everything.
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { startWorkshop, trace } from '../workshop.ts';
import { claimInstance, isClaim, type Claim } from '../instance.ts';
import { stateDir } from '../paths.ts';
import { onShutdown } from '../process/shutdown.ts';

const usage = 'Usage: npm run workshop [-- --port N --no-open]';

export async function run(args: string[]): Promise<number> {
  let port: number;
  let open: boolean;
  try {
    const { values } = parseArgs({
      args,
      options: { port: { type: 'string', default: '4000' }, 'no-open': { type: 'boolean', default: false } },
      strict: true,
    });
    port = Number(values.port);
    open = !values['no-open'];
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`--port must be a port number (0 to 65535), not "${values.port}".\n${usage}`);
      return 2;
    }
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return 2;
  }

  trace('command loaded');
  const say = (line: string) => console.log(line);
  const warn = (line: string) => console.error(pc.yellow(line));
  // One runner per workspace: a second one says where the first is.
  let claim: Claim | undefined;
  try {
    const got = claimInstance(stateDir());
    if (!isClaim(got)) {
      console.error(got.url
        ? `The workshop is already running at ${got.url} (process ${got.pid}): open that one, or stop it (Ctrl-C in its terminal) first.`
        : `The workshop is already starting in process ${got.pid}: wait for it, or stop it first.`);
      return 1;
    }
    claim = got;
  } catch {
    // An unwritable state folder: run anyway; the workspace code says what is wrong with it.
  }
  say(pc.dim('Starting the workshop…'));
  let workshop;
  try {
    workshop = await startWorkshop({ port, say, warn });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(pc.red(e.code === 'EADDRINUSE'
      ? `Port ${port} and the ones after it are in use: pass another with --port N.`
      : `The workshop could not start: ${e.message}`));
    claim?.release();
    return 1;
  }
  claim?.setUrl(workshop.url);
  // Tests and scripts read this line to find the port: keep its shape.
  say(`The workshop is at ${pc.bold(pc.cyan(workshop.url))}  (Ctrl-C stops it)`);
  onShutdown(async () => {
    say(pc.dim('\nStopping the workshop…'));
    await workshop.stop();
  });
  // A bug in one background task (an app, the inspector, a verify run) must
  // not take the learner's slides and apps down with it: say so, keep going.
  process.on('unhandledRejection', (err) => {
    console.error(pc.red('The workshop runner hit a bug (it keeps running; please report this):'), err instanceof Error ? err.stack : err);
  });
  if (open) {
    import('open')
      .then(({ default: openBrowser }) => openBrowser(workshop.url))
      .catch(() => say(`Open ${workshop.url} in your browser.`));
  }
  // Runs until Ctrl-C: onShutdown exits the process.
  return new Promise<number>(() => {});
}
