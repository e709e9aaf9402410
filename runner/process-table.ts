// Reading Linux's process table (/proc), to find what a child of ours left
// running: its descendants, including those that left its process group,
// and processes carrying its tag in their environment. Elsewhere (macOS)
// there is no /proc: every function finds nothing, and stopping a child
// falls back to its process group alone.
import { readdirSync, readFileSync } from 'node:fs';

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

/** Live processes whose environment contains `marker` (NAME=value). */
export function processesWithEnv(marker: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of pids()) {
    if (!environ(pid).includes(marker) || !isRunning(pid)) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid, args });
    } catch {
      // gone meanwhile
    }
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
