// Backups of the learner's workspace, in .workshop/backups/<time>-<label>/,
// each with a <time>-<label>.json beside it saying when, why and what was
// left out. A backup is written under a hidden `.partial-` name and renamed
// when complete, so a backup that is listed is always whole.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bulkyOnly, copyFiles, listTree } from './tree.ts';
import { isAlive } from '../process/table.ts';

export interface Backup {
  name: string;
  /** The folder holding the files, ready to browse. */
  path: string;
  /** ISO time. */
  createdAt: string;
  /** E.g. "before switching to step3". */
  reason: string;
  /** What it holds, in words: "Your files, before switching to step 3's solution". The name stays the handle. */
  label: string;
  /** How many files it holds (unknown for a backup without its .json). */
  files?: number;
  /** Top-level names not copied (node_modules, .git): they stayed in workspace/. */
  leftOut: string[];
}

export const backupsDir = (state: string): string => join(state, 'backups');

const two = (n: number) => String(n).padStart(2, '0');

/**
 * `2026-11-25T14-03-09-step3`: local time (what the learner's clock said),
 * sortable, safe in any file system; `-2`, `-3` when the second is taken.
 */
export function backupName(date: Date, label: string, taken: ReadonlySet<string>): string {
  const stamp =
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}` +
    `T${two(date.getHours())}-${two(date.getMinutes())}-${two(date.getSeconds())}`;
  const safeLabel = label.replace(/[^A-Za-z0-9_.-]+/g, '-');
  const base = `${stamp}-${safeLabel}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

const stepWords = (name: string) => name.replace(/^step(\d+)$/, 'step $1');

/**
 * A backup's name starts with a time and may end in a step's name, so it
 * reads like that step's solution; the label says whose files these are
 * and what happened next, from the reason written beside it.
 */
export function backupLabel(reason: string): string {
  const switching = /^before switching to (\S+)$/.exec(reason);
  if (switching) return `Your files, before switching to ${stepWords(switching[1]!)}'s solution`;
  const resetting = /^before resetting (\S+)$/.exec(reason);
  if (resetting) return `Your files, before resetting ${stepWords(resetting[1]!)}`;
  const restoring = /^before restoring (\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)/.exec(reason);
  if (restoring) return `Your files, before restoring the backup of ${restoring.slice(1, 4).join('-')} ${restoring[4]}:${restoring[5]}`;
  return reason ? `Your files, ${reason}` : 'Your files';
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    // No backups folder (or a file in its place, which writing a backup reports): no backups.
    if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

/**
 * Copies every file of `workspace` except node_modules and .git folders
 * (reinstallable, or the learner's history, and both are carried over, never
 * deleted). `.env` is copied: it may be the only copy of a secret, and the
 * backup is as private as the workspace it came from.
 * Throws the file-system error when the backups folder cannot be written;
 * the workspace is only ever read.
 */
export async function writeBackup(
  workspace: string,
  state: string,
  label: string,
  reason: string,
  afterFirstFile?: () => void,
): Promise<Backup> {
  const dir = backupsDir(state);
  const listing = await listTree(workspace, bulkyOnly);
  await mkdir(dir, { recursive: true });
  const name = backupName(new Date(), label, new Set(await names(dir)));
  const partial = join(dir, `.partial-${name}-${process.pid}`);
  try {
    await mkdir(partial);
    await copyFiles(workspace, partial, listing.files, afterFirstFile);
    const backup: Backup = {
      name,
      path: join(dir, name),
      createdAt: new Date().toISOString(),
      reason,
      label: backupLabel(reason),
      files: listing.files.length,
      leftOut: listing.ignored,
    };
    const { path: _path, label: _label, ...manifest } = backup;
    await writeFile(join(dir, `${name}.json`), JSON.stringify(manifest, null, 2) + '\n');
    await rename(partial, backup.path);
    return backup;
  } catch (err) {
    await rm(partial, { recursive: true, force: true }).catch(() => {});
    await rm(join(dir, `${name}.json`), { force: true }).catch(() => {});
    throw err;
  }
}

/** Every whole backup, newest first. */
export async function listBackups(state: string): Promise<Backup[]> {
  const dir = backupsDir(state);
  const backups: Backup[] = [];
  for (const name of await names(dir)) {
    if (name.startsWith('.') || name.endsWith('.json')) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    let manifest: Partial<Backup> = {};
    try {
      manifest = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as Partial<Backup>;
    } catch {
      // a backup without its .json (the learner tidied up) is still a backup
    }
    backups.push({
      name,
      path,
      createdAt: typeof manifest.createdAt === 'string' ? manifest.createdAt : info.mtime.toISOString(),
      reason: typeof manifest.reason === 'string' ? manifest.reason : '',
      label: backupLabel(typeof manifest.reason === 'string' ? manifest.reason : ''),
      ...(typeof manifest.files === 'number' ? { files: manifest.files } : {}),
      leftOut: Array.isArray(manifest.leftOut) ? manifest.leftOut : [],
    });
  }
  return backups.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name));
}

/** A backup by its exact name, or by a prefix only one backup has. */
export function pickBackup(backups: readonly Backup[], name: string): Backup | 'ambiguous' | undefined {
  const exact = backups.find((b) => b.name === name);
  if (exact) return exact;
  const matches = backups.filter((b) => b.name.startsWith(name));
  return matches.length === 1 ? matches[0] : matches.length > 1 ? 'ambiguous' : undefined;
}

/** Removes what a killed backup left behind: `.partial-` folders of dead processes and their .json. */
export async function cleanPartialBackups(state: string): Promise<void> {
  const dir = backupsDir(state);
  for (const name of await names(dir).catch(() => [])) {
    const m = /^\.partial-(.+)-(\d+)$/.exec(name);
    if (!m || isAlive(Number(m[2]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    const whole = await stat(join(dir, m[1]!)).catch(() => undefined);
    if (!whole) await rm(join(dir, `${m[1]}.json`), { force: true });
  }
}
