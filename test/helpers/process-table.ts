// Reading the process table, to prove that nothing we started lingers.
import { readdirSync, readFileSync } from 'node:fs';

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export interface ProcessInfo {
  pid: number;
  args: string;
}

/** Live processes whose environment contains `marker` (NAME=value). */
export function processesWithEnv(marker: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!environ.includes(marker) || !isRunning(pid)) continue;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid, args });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Resolves when the process is gone, or rejects after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
