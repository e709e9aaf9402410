// `npm run workshop -- leave`: forgets the room; nothing is reported after.
import { stateDir } from '../paths.ts';
import { forgetRoom, readRoom, roomHost } from '../room/config.ts';
import { parseCommandArgs, UsageError } from './args.ts';

const usage = 'Usage: npm run workshop -- leave';

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, usage);
  if (positionals.length) throw new UsageError(`leave takes no argument.\n${usage}`);
  const room = readRoom(stateDir());
  if (!room || !forgetRoom(stateDir())) {
    console.log('You are in no room: nothing is reported.');
    return 0;
  }
  console.log(`Left the room at ${roomHost(room.url)}: verify reports nothing from now on.`);
  return 0;
}
