// Reading the process table, to prove that nothing we started lingers.
import { isRunning } from '../../runner/process-table.ts';

export { isRunning, processesWithEnv, type ProcessInfo } from '../../runner/process-table.ts';

/** Resolves when the process is gone, or rejects after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
