// `workshop room-send` (not for people): what a verify in the terminal
// starts, detached, to append its report to the room (the fields in
// WORKSHOP_ROOM_FIELDS), so the verify itself exits at once. Ends within a
// few seconds whatever the room does; a room it could not reach is recorded
// for the next verify to say.
import { stateDir } from '../paths.ts';
import { readRoom } from '../room/config.ts';
import { FIELDS_ENV, recordLast } from '../room/terminal.ts';

export async function run(): Promise<number> {
  const dir = stateDir();
  const room = readRoom(dir);
  let fields: Record<string, string>;
  try {
    fields = JSON.parse(process.env[FIELDS_ENV] ?? '') as Record<string, string>;
  } catch {
    return 2;
  }
  if (!room || typeof fields !== 'object' || !fields) return 0; // left the room meanwhile
  const { appendOnce } = await import('../room/report.ts');
  try {
    await appendOnce(room, fields);
    recordLast(dir, undefined);
    return 0;
  } catch (err) {
    recordLast(dir, (err as Error).message);
    return 1;
  }
}
