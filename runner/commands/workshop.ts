// `npm run workshop [-- --port N --no-open]`: the learner's home. Starts
// the UI, Redis and the apps (runner/workshop.ts), says where everything
// is, opens the browser, and runs until Ctrl-C, which stops everything.
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { startWorkshop, trace } from '../workshop.ts';
import { claimInstance, isClaim, type Claim } from '../instance.ts';
import { stateDir } from '../paths.ts';
import { onShutdown } from '../process/shutdown.ts';
import { linkFor, readToken, writeOpener } from '../token.ts';

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
      // Its link, when this user may read its token: how a learner who lost the link gets it again.
      const token = readToken(stateDir());
      const where = got.url && token ? linkFor(got.url, token) : got.url;
      console.error(where
        ? `The workshop is already running at ${where} (process ${got.pid}): open that link, or stop it (Ctrl-C in its terminal) first.`
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
  // Tests and scripts read this line to find the link: keep its shape.
  say(`The workshop is at ${pc.bold(pc.cyan(workshop.link))}  (Ctrl-C stops it)`);
  say(pc.dim('That link (its token) lets your browser in, and nobody else: keep it to yourself.'));
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
    // Through a file only this user can read: a URL given to the browser's
    // command line would show the token to every user of the machine (ps).
    Promise.resolve()
      .then(async () => {
        const opener = writeOpener(stateDir(), workshop.link);
        const { default: openBrowser } = await import('open');
        await openBrowser(opener);
      })
      .catch(() => say(`Open ${workshop.link} in your browser.`));
  }
  // Runs until Ctrl-C: onShutdown exits the process.
  return new Promise<number>(() => {});
}
