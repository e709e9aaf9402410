// One switch at a time, across processes (a lock file beside the workspace
// holding the owner's pid, stale once that process is dead) and within this
// one (a queue per workspace, e.g. a double-clicked UI button).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAlive } from '../process/table.ts';
import { WorkspaceError, reason } from './errors.ts';
import { display, exists, type Places } from './places.ts';

const queues = new Map<string, Promise<unknown>>();

// A switch holds the lock for about a second, so waiting a little beats
// failing (a UI refreshing its diff while the CLI switches).
const lockWaitMs = 3000;

const lockFile = (workspace: string) => `${workspace}.lock`;

// 0 when there is no lock, or it is unreadable.
const lockOwner = async (lock: string) => Number(await readFile(lock, 'utf8').catch(() => ''));

async function acquire(lock: string, workspace: string): Promise<void> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !(await exists(dirname(lock)))) {
        // WORKSHOP_WORKSPACE names a folder in a folder not made yet.
        await mkdir(dirname(lock), { recursive: true }).catch(() => {});
        if (await exists(dirname(lock))) continue;
      }
      if (code !== 'EEXIST') {
        throw new WorkspaceError(
          `Cannot write beside ${display(workspace)} (${reason(err)}); the folder that holds it must be writable.`,
          'workspace-unusable',
        );
      }
    }
    const owner = await lockOwner(lock);
    if (owner && owner !== process.pid && isAlive(owner)) {
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      throw new WorkspaceError(
        `Another workshop command (process ${owner}) is changing ${display(workspace)} right now; wait for it to finish and try again.`,
        'busy',
      );
    }
    // Left by a process that died (or by an earlier call of ours that failed to tidy up).
    await rm(lock, { force: true });
  }
}

/** Runs `fn` holding the workspace's lock, after the calls already queued for it here. */
export function withLock<T>(p: Places, fn: () => Promise<T>): Promise<T> {
  const lock = lockFile(p.workspace);
  const previous = queues.get(p.workspace) ?? Promise.resolve();
  const run = previous.then(async () => {
    await acquire(lock, p.workspace);
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  });
  queues.set(p.workspace, run.catch(() => {}));
  return run;
}

/** Whether the lock was left by a process that died, which only a killed switch does. */
export async function abandonedLock(p: Places): Promise<boolean> {
  const owner = await lockOwner(lockFile(p.workspace));
  return owner > 0 && !isAlive(owner);
}
