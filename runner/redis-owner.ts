// Whose Redis is this? A runner that starts redis-server leaves a note in
// its data folder (owner.json: the server's pid and the workshop's folder).
// A runner that finds a Redis already answering asks it for its pid (INFO)
// and its data folder (CONFIG GET dir) and reads the note there: a note
// whose pid is that very server names the workshop it belongs to, so two
// workshops from two folders on one machine are not mistaken for one.
// No note, or a note about another process: a Redis not started by a
// workshop, and we say only that.
import { readFile, readlink, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isAlive } from './process/table.ts';
import { openRedis, type Reply } from './redis-client.ts';

const NOTE = 'owner.json';

export interface OwnerNote {
  /** The redis-server's pid. */
  redisPid: number;
  /** The runner that started it. */
  runnerPid: number;
  /** The workshop's folder, as a learner knows it. */
  workshop: string;
  /** Its state folder (.workshop): the same one means this very workshop. */
  state: string;
}

/** The folder a learner knows a workshop by: the one holding its .workshop/ state. */
export function workshopFolder(stateDir: string): string {
  return basename(stateDir) === '.workshop' ? dirname(stateDir) : stateDir;
}

/** Written next to the data of a redis-server we started (whole or not at all). */
export async function writeOwnerNote(dataDir: string, note: OwnerNote): Promise<void> {
  const tmp = join(dataDir, `${NOTE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(note));
  await rename(tmp, join(dataDir, NOTE));
}

export async function readOwnerNote(dataDir: string): Promise<OwnerNote | undefined> {
  try {
    const note = JSON.parse(await readFile(join(dataDir, NOTE), 'utf8')) as Partial<OwnerNote>;
    if (typeof note.redisPid !== 'number' || typeof note.workshop !== 'string' || typeof note.state !== 'string') return undefined;
    return { redisPid: note.redisPid, runnerPid: Number(note.runnerPid) || 0, workshop: note.workshop, state: note.state };
  } catch {
    return undefined;
  }
}

/** What a running Redis says of itself: its pid and data folder, when it tells. */
async function selfReport(url: string): Promise<{ pid?: number; dir?: string }> {
  const client = await openRedis(url, 1000);
  try {
    const info = String(await client.command('INFO', 'server'));
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]) || undefined;
    // CONFIG may be renamed away (managed Redis): then the process's working folder,
    // which is where a redis-server we started keeps its data.
    const dir = await client.command('CONFIG', 'GET', 'dir').then(
      (reply: Reply) => (Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined),
      () => undefined,
    );
    return { pid, dir: dir ?? (pid ? await readlink(`/proc/${pid}/cwd`).catch(() => undefined) : undefined) };
  } finally {
    client.close();
  }
}

export type Owner =
  | { kind: 'this-workshop'; runnerAlive: boolean; note: OwnerNote }
  | { kind: 'other-workshop'; runnerAlive: boolean; note: OwnerNote }
  | { kind: 'unknown' };

/** Who started the Redis at `url`, compared with this workshop's state folder. */
export async function ownerOf(url: string, ourState: string): Promise<Owner> {
  const { pid, dir } = await selfReport(url).catch(() => ({ pid: undefined, dir: undefined }));
  if (!pid || !dir) return { kind: 'unknown' };
  const note = await readOwnerNote(dir);
  // A note left by an earlier server in the same folder says nothing about this one.
  if (!note || note.redisPid !== pid) return { kind: 'unknown' };
  const runnerAlive = note.runnerPid > 0 && isAlive(note.runnerPid);
  return { kind: note.state === ourState ? 'this-workshop' : 'other-workshop', runnerAlive, note };
}

/** One line for the header and the terminal: which Redis on 127.0.0.1:`port` this is, and whose. */
export function describeRunning(owner: Owner, port: number): string {
  const where = `127.0.0.1:${port}`;
  if (owner.kind === 'other-workshop') {
    return owner.runnerAlive
      ? `the Redis on ${where}, which belongs to the workshop in ${owner.note.workshop} (its sessions are listed here too)`
      : `the Redis on ${where}, left running by the workshop in ${owner.note.workshop} (its sessions are listed here too)`;
  }
  if (owner.kind === 'this-workshop') {
    return owner.runnerAlive
      ? `the Redis on ${where}, started by another run of this workshop (process ${owner.note.runnerPid})`
      : `the Redis on ${where}, left running by an earlier run of this workshop`;
  }
  return `a Redis already running on ${where} (not started by this workshop)`;
}
