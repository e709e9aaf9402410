// Recovery of a switch that a crash interrupted (see index.ts for the
// two renames a switch makes). A kill at any point leaves one of these,
// which recovery (run under the lock before every switch, and by
// ensureWorkspace) resolves:
//   - workspace/ whole, maybe a half-built .new-: the .new- is removed;
//   - no workspace/, an .old- (killed between the renames): the .old- is put
//     back, so the switch never happened;
//   - the new workspace/ and an .old-: the switch is finished, carrying the
//     ignored files over. Every .old- exists only after its backup is whole.
// Also where workspace/ is made from steps/start on first use.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cleanPartialBackups } from './backups.ts';
import { workshop } from '../steps.ts';
import { bulkyOnly, copyFiles, listTree, moveEntries, workspaceRules } from './tree.ts';
import { abandonedLock, withLock } from './lock.ts';
import { display, exists, places, type Places } from './places.ts';

/** Where notes about a recovered interrupted switch go. */
export type Log = (line: string) => void;
export const toStderr: Log = (line) => console.error(line);

function leftovers(p: Places, names: string[]): { news: string[]; olds: string[] } {
  const base = basename(p.workspace);
  const pick = (kind: string) => names.filter((n) => new RegExp(`^${escape(base)}\\.${kind}-\\d+$`).test(n));
  return { news: pick('new'), olds: pick('old') };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function siblings(p: Places): Promise<{ news: string[]; olds: string[] }> {
  return leftovers(p, await readdir(dirname(p.workspace)).catch(() => []));
}

/** Whether a killed switch left anything to tidy: temporary trees, or a lock whose owner is dead. */
async function interrupted(p: Places): Promise<boolean> {
  const { news, olds } = await siblings(p);
  if (news.length || olds.length) return true;
  return abandonedLock(p);
}

/** Recovery proper. Runs under the lock, so every .new-/.old- sibling belongs to a dead process. */
export async function recoverLocked(p: Places, log: Log): Promise<void> {
  await cleanPartialBackups(p.state).catch(() => {}); // an unwritable state folder keeps its litter
  const parent = dirname(p.workspace);
  const { news, olds } = await siblings(p);
  for (const name of news) await rm(join(parent, name), { recursive: true, force: true });
  const pending = [...olds];
  if (!(await exists(p.workspace)) && pending.length > 0) {
    await rename(join(parent, pending.shift()!), p.workspace);
    log(`A switch of ${display(p.workspace)} was interrupted before it finished; it is back as it was.`);
  }
  for (const name of pending) {
    const old = join(parent, name);
    const listing = await listTree(old, await workspaceRules(old));
    const moved = await moveEntries(old, p.workspace, listing.ignored);
    await rm(old, { recursive: true, force: true });
    log(
      `A switch of ${display(p.workspace)} was interrupted after the swap; it is now finished` +
        (moved.length ? ` (carried over ${moved.join(', ')}).` : '.'),
    );
  }
}

/** Finishes or undoes a switch that a crash interrupted. Does nothing when there is nothing to do. */
export async function recoverWorkspace(options: { places?: Places; log?: Log } = {}): Promise<void> {
  const p = options.places ?? places();
  if (!(await interrupted(p))) return;
  await withLock(p, () => recoverLocked(p, options.log ?? toStderr));
}

/** Makes workspace/ from steps/start, built aside and renamed in so it is never half there. Under the lock. */
export async function createFromStart(p: Places): Promise<void> {
  const fresh = `${p.workspace}.new-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  await mkdir(fresh, { recursive: true });
  const start = workshop().start;
  await copyFiles(start, fresh, (await listTree(start, bulkyOnly)).files);
  await rename(fresh, p.workspace);
}

/**
 * Makes sure workspace/ exists: recovers an interrupted switch, and creates
 * it from steps/start on first use. Returns whether it was created.
 */
export async function ensureWorkspace(options: { places?: Places; log?: Log } = {}): Promise<boolean> {
  const p = options.places ?? places();
  if (!(await interrupted(p)) && (await exists(p.workspace))) return false;
  return withLock(p, async () => {
    await recoverLocked(p, options.log ?? toStderr);
    if (await exists(p.workspace)) return false;
    await createFromStart(p);
    return true;
  });
}
