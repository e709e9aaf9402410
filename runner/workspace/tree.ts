// A folder of app files as the workspace commands see it: which files count
// (compared, diffed, replaced by a switch) and which are the learner's own
// untracked things (node_modules, .env, whatever .gitignore names), which a
// switch carries over instead of replacing.
import { copyFile, lstat, mkdir, readdir, readFile, readlink, rename, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import ignore from 'ignore';

/** A file's content as compared and copied. Symlinks count by their target, not what they point at. */
export type Entry = { kind: 'file'; data: Buffer } | { kind: 'symlink'; target: string };

/** Relative POSIX path → content. */
export type Snapshot = Map<string, Entry>;

export interface Listing {
  /** Files and symlinks that count, relative POSIX paths, sorted. */
  files: string[];
  /** Top-most paths that don't count (a whole ignored folder is one entry), sorted. */
  ignored: string[];
}

/**
 * Never copied anywhere, only moved: installed packages (reinstallable, and
 * large) and a git history the learner may keep in their workspace.
 */
export const bulky: readonly string[] = ['node_modules', '.git'];

/**
 * The learner's own files that no step solution has, carried over by a
 * switch (and backed up), never compared or shown in a diff. `.env` files
 * hold secrets that may exist nowhere else. `.gitignore` describes the
 * learner's setup, not the app: carrying it keeps what it ignores ignored
 * after a switch.
 */
const alwaysIgnored = ['node_modules/', '.git/', '.env', '.env.*', '.gitignore'];

export type IsIgnored = (path: string, isDir: boolean) => boolean;

/** Ignores only what is never copied: for step solutions and backups. */
export const bulkyOnly: IsIgnored = (path) => bulky.includes(path.split('/').pop() ?? '');

/** The rules of `dir` as a workspace: the always-ignored files plus its own top-level .gitignore. */
export async function workspaceRules(dir: string): Promise<IsIgnored> {
  const rules = ignore().add(alwaysIgnored);
  try {
    rules.add(await readFile(join(dir, '.gitignore'), 'utf8'));
  } catch {
    // no .gitignore: the defaults alone
  }
  return (path, isDir) => rules.ignores(isDir ? `${path}/` : path);
}

/** Lists `dir`, not descending into ignored folders. Sockets and the like count as ignored (carried). */
export async function listTree(dir: string, isIgnored: IsIgnored): Promise<Listing> {
  const listing: Listing = { files: [], ignored: [] };
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(rel ? join(dir, rel) : dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      if (isIgnored(path, isDir)) listing.ignored.push(path);
      else if (isDir) await walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) listing.files.push(path);
      else listing.ignored.push(path);
    }
  }
  await walk('');
  listing.files.sort();
  listing.ignored.sort();
  return listing;
}

export async function readSnapshot(dir: string, files: readonly string[]): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  for (const path of files) {
    const full = join(dir, path);
    const stat = await lstat(full);
    snapshot.set(
      path,
      stat.isSymbolicLink() ? { kind: 'symlink', target: await readlink(full) } : { kind: 'file', data: await readFile(full) },
    );
  }
  return snapshot;
}

export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (!a || !b || a.kind !== b.kind) return false;
  return a.kind === 'file' ? a.data.equals((b as { data: Buffer }).data) : a.target === (b as { target: string }).target;
}

/** Same paths, same bytes. */
export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [path, entry] of a) if (!sameEntry(entry, b.get(path))) return false;
  return true;
}

/**
 * Copies `files` from one folder to another, keeping file modes and
 * symlinks as links. `afterFirst` runs once, after the first file, so tests
 * can interrupt a copy half way.
 */
export async function copyFiles(from: string, to: string, files: readonly string[], afterFirst?: () => void): Promise<void> {
  let first = true;
  for (const path of files) {
    const source = join(from, path);
    const target = join(to, path);
    await mkdir(dirname(target), { recursive: true });
    const stat = await lstat(source);
    if (stat.isSymbolicLink()) await symlink(await readlink(source), target);
    else await copyFile(source, target);
    if (first && afterFirst) afterFirst();
    first = false;
  }
}

/**
 * Moves each of `paths` from one folder to the same place in another (a
 * rename: node_modules moves in an instant and nothing is copied). A path
 * the target already has, or that a file in the target stands in the way
 * of, is left where it is. Returns the paths moved.
 */
export async function moveEntries(from: string, to: string, paths: readonly string[], afterFirst?: () => void): Promise<string[]> {
  const moved: string[] = [];
  for (const path of paths) {
    if (await blocked(to, path)) continue;
    await mkdir(dirname(join(to, path)), { recursive: true });
    await rename(join(from, path), join(to, path));
    moved.push(path);
    if (moved.length === 1 && afterFirst) afterFirst();
  }
  return moved;
}

async function blocked(root: string, path: string): Promise<boolean> {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const stat = await lstat(join(root, ...parts.slice(0, i))).catch(() => undefined);
    if (!stat) return false;
    if (i === parts.length || !stat.isDirectory()) return true;
  }
  return false;
}

/** Whether a carried path collides with a file of the new tree (same path, or one inside the other). */
export function collides(path: string, files: readonly string[]): boolean {
  return files.some((f) => f === path || f.startsWith(`${path}/`) || path.startsWith(`${f}/`));
}
