// Which process listens on which port, from Linux's /proc: so a leftover
// server is never taken for the app we started, and an app that listens on
// the wrong port is named at once instead of after a timeout. Elsewhere
// (macOS, another network namespace) these answer "unknown".
import { readdir, readFile, readlink } from 'node:fs/promises';

/** How long an app must listen only elsewhere before we say it ignores PORT. */
export const OTHER_PORTS_SETTLE_MS = 500;

async function listeningInodes(): Promise<Map<string, number> | undefined> {
  const inodes = new Map<string, number>();
  let readAny = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
      readAny = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A') continue; // LISTEN
      const port = parseInt(cols[1]?.split(':').pop() ?? '', 16);
      if (cols[9]) inodes.set(cols[9], port);
    }
  }
  return readAny ? inodes : undefined;
}

async function socketInodes(pid: number): Promise<Set<string> | undefined> {
  try {
    const fds = await readdir(`/proc/${pid}/fd`);
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    return new Set(links.map((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1]).filter((x): x is string => !!x));
  } catch {
    return undefined;
  }
}

/** The ports a process listens on, or undefined when the system does not tell. */
export async function listeningPorts(pid: number): Promise<number[] | undefined> {
  const [all, mine] = await Promise.all([listeningInodes(), socketInodes(pid)]);
  if (!all || !mine) return undefined;
  return [...new Set([...mine].map((i) => all.get(i)).filter((p): p is number => p !== undefined))];
}

async function groupMembers(pgid: number): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  const stats = await Promise.all(pids.map((p) => readFile(`/proc/${p}/stat`, 'utf8').catch(() => '')));
  return pids.filter((_, i) => Number(stats[i]?.slice((stats[i] ?? '').lastIndexOf(')') + 2).split(' ')[2]) === pgid).map(Number);
}

/** Whether the socket listening on `port` belongs to the process group we started. */
export async function portOwner(port: number, pid: number): Promise<'ours' | 'other' | 'unknown'> {
  const all = await listeningInodes();
  if (!all) return 'unknown';
  const wanted = [...all].filter(([, p]) => p === port).map(([inode]) => inode);
  if (!wanted.length) return 'unknown'; // e.g. another network namespace
  const owns = async (member: number) => {
    const mine = await socketInodes(member);
    return mine ? wanted.some((i) => mine.has(i)) : undefined;
  };
  // Nearly always the app itself holds the socket: scan /proc for the rest of its group only if not.
  const leader = await owns(pid);
  if (leader !== false) return leader === undefined ? 'unknown' : 'ours';
  for (const member of (await groupMembers(pid)).filter((p) => p !== pid)) {
    const answer = await owns(member);
    if (answer === undefined) return 'unknown';
    if (answer) return 'ours';
  }
  return 'other';
}
