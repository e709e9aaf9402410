// `npm run workshop -- room <redis-url> [--port N --no-open]`: the
// instructor's view of a room. Reads the room's stream (the whole of it
// first, then each report as it comes) and serves the room page on
// 127.0.0.1, behind the same token as the workshop's page. Runs until Ctrl-C.
import pc from 'picocolors';
import { parseCommandArgs, UsageError } from './args.ts';
import { checkRoomUrl, roomHost, roomKey, RoomError } from '../room/config.ts';
import { stateDir } from '../paths.ts';
import { loadToken, linkFor, writeOpener } from '../token.ts';
import { onShutdown } from '../process/shutdown.ts';

const usage = 'Usage: npm run workshop -- room <redis-url> [--port N --no-open]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { port: { type: 'string', default: '4100' }, 'no-open': { type: 'boolean', default: false } },
    usage,
  );
  const [urlText, ...extra] = positionals;
  if (!urlText) throw new UsageError(`Give the room's Redis URL: the one the learners join, with a user that may read it.\n${usage}`);
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra.join(' ')}.\n${usage}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0 to 65535), not "${values.port}".\n${usage}`);
  let url: string;
  try {
    url = checkRoomUrl(urlText).toString();
  } catch (err) {
    if (err instanceof RoomError) throw new UsageError(`${err.message}\n${usage}`);
    throw err;
  }
  const host = roomHost(url);
  const key = roomKey();
  const { startRoomServer } = await import('../room/server.ts');
  const { RoomReader } = await import('../room/reader.ts');
  const token = loadToken(stateDir());
  let server: Awaited<ReturnType<typeof startRoomServer>>;
  try {
    server = await startRoomServer({ port, token, host, key });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(pc.red(e.code === 'EADDRINUSE' ? `Port ${port} and the ones after it are in use: pass another with --port N.` : `The room page could not start: ${e.message}`));
    return 1;
  }
  let lost = false;
  const reader = new RoomReader(url, key, host, (entries) => server.take(entries), (status) => {
    server.readerStatus(status);
    if (status.connected && lost) console.log(pc.dim(`Reading the room at ${host} again.`));
    else if (!status.connected && status.message) console.error(pc.yellow(status.message));
    lost = !status.connected;
  });
  try {
    await reader.open();
  } catch (err) {
    console.error(pc.red(`The room cannot be read: ${(err as Error).message}`));
    await server.close();
    return 1;
  }
  const pageUrl = `http://127.0.0.1:${server.port}/`;
  const link = linkFor(pageUrl, token);
  const learners = server.view().learners.length;
  console.log(`Reading the room ${pc.bold(key)} at ${host}: ${learners} learner${learners === 1 ? '' : 's'} so far.`);
  console.log(pc.dim(`Learners join with: npm run workshop -- join <the learners' URL> --name "<their name>"`));
  // Tests and scripts read this line to find the link: keep its shape.
  console.log(`The room is at ${pc.bold(pc.cyan(link))}  (Ctrl-C stops it)`);
  console.log(pc.dim('That link (its token) lets your browser in, and nobody else: keep it to yourself.'));
  onShutdown(async () => {
    reader.stop();
    await server.close();
  });
  if (!values['no-open']) {
    Promise.resolve()
      .then(async () => {
        const opener = writeOpener(stateDir(), link);
        const { default: openBrowser } = await import('open');
        await openBrowser(opener);
      })
      .catch(() => console.log(`Open ${link} in your browser.`));
  }
  return new Promise<number>(() => {});
}
