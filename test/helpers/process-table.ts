// Reading the process table, to prove that nothing we started lingers.
import { readdirSync, readFileSync } from 'node:fs';
import { isRunning } from '../../runner/process/table.ts';

export { commandLine, isRunning, processFamily, processesWithEnv, type ProcessInfo } from '../../runner/process/table.ts';

/** Resolves when the process is gone, or rejects after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * redis-server processes whose parent is `ppid`. (Redis rewrites its title
 * over its environment, so the environment marker cannot find it.)
 */
export function redisChildren(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[1]) === ppid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('redis-server');
      } catch {
        return false;
      }
    })
    .map(Number);
}
