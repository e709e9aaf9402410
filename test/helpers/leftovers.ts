// What a test run (or one fault case) started and left running. Two records
// find it: the environment marker every process inherits, and the spawn log
// that test/helpers/spawn-recorder.cjs writes at each spawn. The log is what
// finds redis-server, which overwrites its environment with its title; the
// start time it records keeps a reused pid from being taken for a leftover.
import { readFileSync } from 'node:fs';
import { commandLine, processFamily, startTime, type ProcessInfo } from '../../runner/process/table.ts';

interface Spawn {
  pid: number;
  /** Field 22 of /proc/<pid>/stat when it was spawned. */
  start: string;
  /** The test markers (NAME=value) its spawner carried. */
  markers: string[];
}

/** The spawn log's entries, oldest first; none without a log. */
function recordedSpawns(log = process.env.WORKSHOP_TEST_SPAWNS): Spawn[] {
  if (!log) return [];
  let text: string;
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, start, ...markers] = line.split(' ');
      return { pid: Number(pid), start: start ?? '', markers };
    });
}

/**
 * Live processes that carry `marker` in their environment, that a process
 * carrying it spawned (by the spawn log), or that descend from either.
 * `everySpawn` counts every logged spawn, marked or not: for the run's own log.
 */
export function leftovers(marker: string, { log, everySpawn = false }: { log?: string; everySpawn?: boolean } = {}): ProcessInfo[] {
  const spawned = recordedSpawns(log)
    .filter((s) => everySpawn || s.markers.includes(marker))
    .filter((s) => startTime(s.pid) === s.start)
    .map((s) => s.pid);
  const pids = new Set([...spawned, ...processFamily(spawned, [marker])]);
  pids.delete(process.pid);
  const found: ProcessInfo[] = [];
  for (const pid of pids) {
    const args = commandLine(pid);
    if (args !== undefined && startTime(pid) !== undefined) found.push({ pid, args });
  }
  return found;
}
