// Reading Linux's process table (/proc): what a child of ours left running
// (its descendants, including those that left its process group, and
// processes carrying its tag in their environment), and which process
// listens on which port. Elsewhere (macOS) there is no /proc: every function
// finds nothing or answers "unknown", and stopping a child falls back to its
// process group alone.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

/** The fields of /proc/<pid>/stat after the command name, which is in parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/**
 * How long, in milliseconds, the process's main thread has been ready to run
 * but waiting for a CPU since it started (the scheduler's run-queue delay,
 * field 2 of /proc/<pid>/schedstat); undefined once it is gone, or where the
 * system does not tell (no /proc, or a kernel without schedstat).
 */
export function cpuWaitMs(pid: number): number | undefined {
  try {
    const waited = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(waited) ? waited / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** When a live process started (field 22 of /proc/<pid>/stat, clock ticks since boot); undefined once it is gone. */
export function startTime(pid: number): string | undefined {
  const fields = statFields(pid);
  return fields && fields[0] !== 'Z' && fields[0] !== 'X' ? fields[19] : undefined;
}

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  } catch {
    return [];
  }
}

function environ(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return []; // gone meanwhile, or not ours to read
  }
}

export interface ProcessInfo {
  pid: number;
  args: string;
}

/** A process's command line, or undefined once it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** Live processes whose environment contains `marker` (NAME=value). */
export function processesWithEnv(marker: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of pids()) {
    if (!environ(pid).includes(marker) || !isRunning(pid)) continue;
    const args = commandLine(pid);
    if (args !== undefined) found.push({ pid, args });
  }
  return found;
}

/**
 * Live processes that descend from one of `roots` (by parent pid, whatever
 * their session or group), or whose environment holds one of `markers`
 * (which survives a parent's exit, unless a program rewrites its
 * environment, as redis-server does with its title). One pass over /proc.
 */
export function processFamily(roots: readonly number[], markers: readonly string[]): number[] {
  const parentOf = new Map<number, number>();
  const found = new Set<number>();
  for (const pid of pids()) {
    const fields = statFields(pid);
    if (!fields || fields[0] === 'Z' || fields[0] === 'X') continue;
    parentOf.set(pid, Number(fields[1]));
    if (markers.length && environ(pid).some((entry) => markers.includes(entry))) found.add(pid);
  }
  const descends = (pid: number): boolean => {
    for (let p = parentOf.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf.get(p), hops++) {
      if (roots.includes(p)) return true;
    }
    return false;
  };
  for (const pid of parentOf.keys()) if (descends(pid)) found.add(pid);
  return [...found];
}

// --- Sockets: which process listens on which port, so a leftover server is
// never taken for the app we started, and an app that listens on the wrong
// port is named at once instead of after a timeout. In another network
// namespace, or without /proc, these answer "unknown".

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
  const all = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  const stats = await Promise.all(all.map((p) => readFile(`/proc/${p}/stat`, 'utf8').catch(() => '')));
  return all.filter((_, i) => Number(stats[i]?.slice((stats[i] ?? '').lastIndexOf(')') + 2).split(' ')[2]) === pgid).map(Number);
}

/** Whether the socket listening on `port` belongs to the process group `pid` leads. */
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

/** Whether a process exists (EPERM: it does, it just isn't ours to signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
