// `npm run workshop -- join <redis-url> --name <name>`: reports every verify
// from now on (terminal and page) to the instructor's room. Appends one
// report at once, so a wrong URL, a refused password or a room that is down
// is said now, in one sentence, and nothing is remembered.
import pc from 'picocolors';
import { firstOpenStep } from '../state.ts';
import { readProgress } from '../progress.ts';
import { stateDir } from '../paths.ts';
import { checkName, checkRoomUrl, readRoom, roomHost, roomKey, RoomError, writeRoom, readSlide, forgetRoom } from '../room/config.ts';
import { entryFields } from '../room/entry.ts';
import { parseCommandArgs, UsageError } from './args.ts';

const usage = 'Usage: npm run workshop -- join <redis-url> --name <your name>';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { name: { type: 'string' } }, usage);
  const [urlText, ...extra] = positionals;
  if (!urlText) throw new UsageError(`Give the room's Redis URL, as the instructor wrote it.\n${usage}`);
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra.join(' ')}. A name with spaces goes in quotes: --name "Ada L."\n${usage}`);
  let url: string;
  let name: string;
  try {
    url = checkRoomUrl(urlText).toString();
    name = checkName(values.name);
  } catch (err) {
    if (err instanceof RoomError) throw new UsageError(`${err.message}\n${usage}`);
    throw err;
  }
  const dir = stateDir();
  const previous = readRoom(dir);
  const config = writeRoom(dir, { url, name, key: roomKey(), learner: previous?.learner });
  const step = firstOpenStep(await readProgress(dir)).name;
  const { appendOnce } = await import('../room/report.ts');
  try {
    await appendOnce(config, entryFields({ step, checks: [] }, { learner: config.learner, name, slide: readSlide(dir) }));
  } catch (err) {
    if (previous) writeRoom(dir, previous);
    else forgetRoom(dir);
    console.error(pc.red(`Not joined: ${(err as Error).message}`));
    return 1;
  }
  console.log(`Joined the room at ${roomHost(url)} as ${pc.bold(name)}.`);
  console.log(pc.dim('Each verify now sends the room your name, the step, each check\'s id and outcome, the slide you are on and the time: never your code, files, paths or Redis data. `npm run workshop -- leave` stops it.'));
  return 0;
}
