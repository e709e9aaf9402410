// The learner's workspace: created from steps/start on first use, compared
// with the step solutions, switched to a solution or a backup without ever
// losing a file.
//
// A switch never edits workspace/ in place. It backs the workspace up (unless
// it is exactly a step solution), builds the new tree in a sibling
// `workspace.new-<pid>`, then swaps with two renames:
//   workspace → workspace.old-<pid>,  workspace.new-<pid> → workspace
// and finally moves the learner's ignored files (node_modules, .env, what
// .gitignore names) from the old tree into the new one and removes the old.
// A kill at any point leaves one of these, which recovery (run under the
// lock before every switch, and by ensureWorkspace) resolves:
//   - workspace/ whole, maybe a half-built .new-: the .new- is removed;
//   - no workspace/, an .old- (killed between the renames): the .old- is put
//     back, so the switch never happened;
//   - the new workspace/ and an .old-: the switch is finished, carrying the
//     ignored files over. Every .old- exists only after its backup is whole.
import { statSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { backupsDir, cleanPartialBackups, listBackups as listBackupsIn, pickBackup, writeBackup, type Backup } from './backups.ts';
import { diffSnapshots, type TreeDiff } from './diff.ts';
import { stateDir, workspaceDir } from './paths.ts';
import { findStep, startDir, steps, unknownStepMessage, type Step } from './steps.ts';
import { isAlive } from './processes.ts';
import {
  bulkyOnly,
  collides,
  copyFiles,
  listTree,
  moveEntries,
  readSnapshot,
  sameSnapshot,
  workspaceRules,
  type Listing,
} from './tree.ts';

export type { Backup } from './backups.ts';
export type { FileDiff, TreeDiff } from './diff.ts';

/** Where the workspace and the state folder are; tests point them at temporary folders. */
export interface Places {
  workspace: string;
  state: string;
}

export function places(env: NodeJS.ProcessEnv = process.env): Places {
  return { workspace: workspaceDir(env), state: stateDir(env) };
}

/** A problem the learner can fix: the message is one sentence with the way forward, shown as is. */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly code: 'busy' | 'state-unwritable' | 'workspace-unusable' | 'unknown-backup' | 'unknown-step',
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

/** The stages of a switch, in order, at which a test can kill the process. */
export const crashStages = [
  'backup-partial',
  'backup-done',
  'build-partial',
  'built',
  'old-aside',
  'swapped',
  'carry-partial',
  'carried',
] as const;
export type CrashStage = (typeof crashStages)[number];

// Test-only hook: WORKSHOP_CRASH_AT=<stage> kills this process with SIGKILL
// (no cleanup, no exit handlers) at that stage, so tests can prove that a
// kill anywhere leaves a whole workspace. Unset, it does nothing.
function reach(stage: CrashStage): void {
  if (process.env.WORKSHOP_CRASH_AT === stage) process.kill(process.pid, 'SIGKILL');
}

type Log = (line: string) => void;
const stderr: Log = (line) => console.error(line);

/** A path as the learner would type it: relative to the current folder when inside it. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

const exists = (path: string) => lstat(path).then(() => true, () => false);

// ---------------------------------------------------------------------------
// Locking: one switch at a time, across processes (a lock file beside the
// workspace holding the owner's pid, stale once that process is dead) and
// within this one (a queue per workspace, e.g. a double-clicked UI button).

const queues = new Map<string, Promise<unknown>>();

// A switch holds the lock for about a second, so waiting a little beats
// failing (a UI refreshing its diff while the CLI switches).
const lockWaitMs = 3000;

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
    const owner = Number(await readFile(lock, 'utf8').catch(() => ''));
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

function withLock<T>(p: Places, fn: () => Promise<T>): Promise<T> {
  const lock = `${p.workspace}.lock`;
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

// ---------------------------------------------------------------------------
// Recovery

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
  const owner = Number(await readFile(`${p.workspace}.lock`, 'utf8').catch(() => ''));
  return owner > 0 && !isAlive(owner);
}

// Runs under the lock, so every .new-/.old- sibling belongs to a dead process.
async function recoverLocked(p: Places, log: Log): Promise<void> {
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
  await withLock(p, () => recoverLocked(p, options.log ?? stderr));
}

async function createFromStart(p: Places): Promise<void> {
  const fresh = `${p.workspace}.new-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  await mkdir(fresh, { recursive: true });
  await copyFiles(startDir, fresh, (await listTree(startDir, bulkyOnly)).files);
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
    await recoverLocked(p, options.log ?? stderr);
    if (await exists(p.workspace)) return false;
    await createFromStart(p);
    return true;
  });
}

// ---------------------------------------------------------------------------
// Comparing

interface Solution {
  name: string;
  dir: string;
}

const solutions: readonly Solution[] = [{ name: 'start', dir: startDir }, ...steps.map((s) => ({ name: s.name, dir: s.dir }))];

async function solutionSnapshot(dir: string) {
  return readSnapshot(dir, (await listTree(dir, bulkyOnly)).files);
}

async function matchOf(workspace: string, listing: Listing): Promise<string | undefined> {
  const ours = await readSnapshot(workspace, listing.files);
  for (const solution of solutions) {
    if (sameSnapshot(ours, await solutionSnapshot(solution.dir))) return solution.name;
  }
  return undefined;
}

/**
 * The solution (`start`, `step1`…) the workspace is identical to, byte for
 * byte, not counting ignored files; undefined when it has the learner's own
 * changes or does not exist.
 */
export async function matchingStep(options: { places?: Places } = {}): Promise<string | undefined> {
  const p = options.places ?? places();
  if (!(await exists(p.workspace))) return undefined;
  // Under the lock: mid-switch, workspace/ is briefly missing.
  return withLock(p, async () => {
    if (!(await exists(p.workspace))) return undefined;
    return matchOf(p.workspace, await listTree(p.workspace, await workspaceRules(p.workspace)));
  });
}

function toStep(step: Step | string): Step {
  const found = typeof step === 'string' ? findStep(step) : step;
  if (!found) throw new WorkspaceError(unknownStepMessage(String(step)), 'unknown-step');
  return found;
}

/** What separates workspace/ from a step's solution (creating the workspace on first use). */
export async function diffAgainst(step: Step | string, options: { places?: Places; log?: Log } = {}): Promise<TreeDiff> {
  const target = toStep(step);
  const p = options.places ?? places();
  await ensureWorkspace(options);
  // Under the lock: mid-switch, workspace/ is briefly missing.
  return withLock(p, async () => {
    const listing = await listTree(p.workspace, await workspaceRules(p.workspace));
    return diffSnapshots(await readSnapshot(p.workspace, listing.files), await solutionSnapshot(target.dir), 'workspace', target.name);
  });
}

// ---------------------------------------------------------------------------
// Switching

/** What a switch will do, decided before anything changes; shown when asking. */
export interface SwitchPlan {
  /** The step (`step2`) or backup name switched to. */
  to: string;
  /** The solution the workspace is identical to now, if any. */
  was?: string;
  /** Whether the workspace is backed up first. */
  backup: boolean;
  /** Ignored entries (node_modules, .env…) moved into the new workspace. */
  carry: string[];
  /** Ignored entries the new workspace has its own version of: they are only in the backup. */
  replace: string[];
  /** The workspace already is the target: nothing to do. */
  nothingToDo: boolean;
}

/** Pure: the plan, from what the workspace holds now and what the target holds. */
export function planSwitch(current: Listing, was: string | undefined, to: string, targetFiles: readonly string[]): SwitchPlan {
  const replace = current.ignored.filter((path) => collides(path, targetFiles));
  const carry = current.ignored.filter((path) => !replace.includes(path));
  const nothingToDo = was === to;
  // A workspace identical to a solution can be rebuilt from it, so it needs no
  // backup, unless an ignored file of the learner's is about to be replaced.
  const backup = !nothingToDo && ((current.files.length > 0 && was === undefined) || replace.length > 0);
  return { to, ...(was ? { was } : {}), backup, carry, replace, nothingToDo };
}

export interface SwitchResult extends SwitchPlan {
  /** False when nothing changed: declined, or nothing to do. Restart the app when true. */
  switched: boolean;
  /** Where the previous workspace went, when it was backed up. */
  backupMade?: Backup;
  /** The entries actually carried over. */
  carried: string[];
}

export interface SwitchOptions {
  places?: Places;
  /** Asked once the plan is known, before anything changes; without it, the switch goes ahead. */
  confirm?: (plan: SwitchPlan) => Promise<boolean>;
  /** Where notes about a recovered interrupted switch go (stderr by default). */
  log?: Log;
}

interface Target {
  /** `step2`, or a backup's name. */
  to: string;
  dir: string;
  /** Label of the backup made first, and why it was made. */
  backupLabel: string;
  backupReason: string;
}

/** Why a file-system operation failed, in words; names the file in the way when there is one. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const at = e.path ? display(e.path) : 'a folder';
  switch (e.code) {
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = e.path ? fileInTheWay(e.path) : undefined;
      return file ? `${display(file)} is a file, not a folder` : `a file is in the way of ${at}`;
    }
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `${at} is not writable`;
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return e.message ?? String(err);
  }
}

// The nearest existing ancestor of `path` (or itself), when that is not a folder.
function fileInTheWay(path: string): string | undefined {
  for (let at = path; ; at = dirname(at)) {
    let stat;
    try {
      stat = statSync(at);
    } catch {
      // missing, or a file further up is in the way: look there
    }
    if (stat) return stat.isDirectory() ? undefined : at;
    if (at === dirname(at)) return undefined;
  }
}

async function plan(p: Places, target: Target, targetFiles: readonly string[]): Promise<SwitchPlan> {
  const current = await listTree(p.workspace, await workspaceRules(p.workspace));
  return planSwitch(current, await matchOf(p.workspace, current), target.to, targetFiles);
}

function replaceWorkspace(target: Target, options: SwitchOptions): Promise<SwitchResult> {
  const p = options.places ?? places();
  const log = options.log ?? stderr;
  const { confirm } = options;
  // With nothing to ask, take our turn at once, so that switches asked for
  // together (a double click) happen in the order they were asked for.
  if (!confirm) return withLock(p, () => replaceLocked(p, target, log));
  return (async () => {
    await ensureWorkspace({ places: p, log });
    const first = await plan(p, target, (await listTree(target.dir, bulkyOnly)).files);
    if (first.nothingToDo || !(await confirm(first))) return { ...first, switched: false, carried: [] };
    return withLock(p, () => replaceLocked(p, target, log));
  })();
}

async function replaceLocked(p: Places, target: Target, log: Log): Promise<SwitchResult> {
  await recoverLocked(p, log);
  if (!(await exists(p.workspace))) await createFromStart(p);
  const targetFiles = (await listTree(target.dir, bulkyOnly)).files;
  // Planned (again) under the lock: the learner may have saved a file while we asked.
  const decided = await plan(p, target, targetFiles);
  if (decided.nothingToDo) return { ...decided, switched: false, carried: [] };

  let backupMade: Backup | undefined;
  if (decided.backup) {
    try {
      backupMade = await writeBackup(p.workspace, p.state, target.backupLabel, target.backupReason, () =>
        reach('backup-partial'),
      );
    } catch (err) {
      throw new WorkspaceError(
        `Could not back up ${display(p.workspace)} into ${display(backupsDir(p.state))}: ${reason(err)}. ` +
          `Nothing was changed; fix that (or set WORKSHOP_STATE to another folder) and try again.`,
        'state-unwritable',
      );
    }
    reach('backup-done');
  }

  const fresh = `${p.workspace}.new-${process.pid}`;
  const old = `${p.workspace}.old-${process.pid}`;
  try {
    await rm(fresh, { recursive: true, force: true });
    await mkdir(fresh);
    await copyFiles(target.dir, fresh, targetFiles, () => reach('build-partial'));
    reach('built');
    await rename(p.workspace, old);
  } catch (err) {
    await rm(fresh, { recursive: true, force: true }).catch(() => {});
    throw new WorkspaceError(
      `Could not build the new workspace beside ${display(p.workspace)}: ${reason(err)}. Nothing was changed.`,
      'workspace-unusable',
    );
  }
  reach('old-aside');
  try {
    await rename(fresh, p.workspace);
  } catch (err) {
    await rename(old, p.workspace); // put the learner's workspace back before anything else
    await rm(fresh, { recursive: true, force: true }).catch(() => {});
    throw new WorkspaceError(`Could not swap in the new workspace: ${reason(err)}. Nothing was changed.`, 'workspace-unusable');
  }
  reach('swapped');
  const carried = await moveEntries(old, p.workspace, decided.carry, () => reach('carry-partial'));
  reach('carried');
  await rm(old, { recursive: true, force: true });
  return { ...decided, switched: true, carried, ...(backupMade ? { backupMade } : {}) };
}

/**
 * Replaces workspace/ with a step's solution, backing it up first unless it
 * is identical to a solution. Never prompts unless given `confirm`.
 */
export async function switchTo(step: Step | string, options: SwitchOptions = {}): Promise<SwitchResult> {
  const target = toStep(step);
  return replaceWorkspace(
    { to: target.name, dir: target.dir, backupLabel: target.name, backupReason: `before switching to ${target.name}` },
    options,
  );
}

/** The backups, newest first. */
export function listBackups(options: { places?: Places } = {}): Promise<Backup[]> {
  return listBackupsIn((options.places ?? places()).state);
}

/** Puts a backup (by name, or a prefix only it has) back into workspace/, backing up the current workspace first. */
export async function restoreBackup(name: string, options: SwitchOptions = {}): Promise<SwitchResult> {
  const picked = pickBackup(await listBackups(options), name);
  if (!picked || picked === 'ambiguous') {
    throw new WorkspaceError(
      `${picked ? `Several backups start with "${name}"` : `There is no backup "${name}"`}; ` +
        '`npm run workshop -- restore` lists them.',
      'unknown-backup',
    );
  }
  return replaceWorkspace(
    { to: picked.name, dir: picked.path, backupLabel: 'restore', backupReason: `before restoring ${picked.name}` },
    options,
  );
}
