// The learner's workspace: created from steps/start on first use, compared
// with the step solutions, switched to a solution or a backup without ever
// losing a file. This is the face the commands, the web UI and the tests
// import; the lock (lock.ts), crash recovery (recovery.ts) and
// the comparing (solutions.ts) live beside it.
//
// A switch never edits workspace/ in place. It backs the workspace up (unless
// it is exactly a step solution), builds the new tree in a sibling
// `workspace.new-<pid>`, then swaps with two renames:
//   workspace → workspace.old-<pid>,  workspace.new-<pid> → workspace
// and finally moves the learner's ignored files (node_modules, .env, what
// .gitignore names) from the old tree into the new one and removes the old.
// A kill at any point leaves a state that recovery.ts resolves, under the
// lock, before the next switch.
import { mkdir, rename, rm } from 'node:fs/promises';
import { backupsDir, listBackups as listBackupsIn, pickBackup, writeBackup, type Backup } from './backups.ts';
import { createFromStart, ensureWorkspace, recoverLocked, toStderr, type Log } from './recovery.ts';
import { matchOf, toStep } from './solutions.ts';
import { steps, workshop, type Step } from '../steps.ts';
import { bulkyOnly, collides, copyFiles, listTree, moveEntries, workspaceRules, type Listing } from './tree.ts';
import { WorkspaceError, reason } from './errors.ts';
import { withLock } from './lock.ts';
import { display, exists, places, type Places } from './places.ts';

export type { Backup } from './backups.ts';
export type { FileDiff, TreeDiff } from './diff.ts';
export { ensureWorkspace, recoverWorkspace } from './recovery.ts';
export { diffAgainst, matchingStep } from './solutions.ts';
export { WorkspaceError } from './errors.ts';
export { display, places, type Places } from './places.ts';

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

async function plan(p: Places, target: Target, targetFiles: readonly string[]): Promise<SwitchPlan> {
  const current = await listTree(p.workspace, await workspaceRules(p.workspace));
  return planSwitch(current, await matchOf(p.workspace, current), target.to, targetFiles);
}

function replaceWorkspace(target: Target, options: SwitchOptions): Promise<SwitchResult> {
  const p = options.places ?? places();
  const log = options.log ?? toStderr;
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

/**
 * Puts back where `step` starts: the solution of the step before it (the
 * start for the first step), backing up the workspace first as a switch does.
 */
export async function resetStep(step: Step | string, options: SwitchOptions = {}): Promise<SwitchResult> {
  const target = toStep(step);
  const before = steps().find((s) => s.number === target.number - 1);
  return replaceWorkspace(
    {
      to: before?.name ?? 'start',
      dir: before?.dir ?? workshop().start,
      backupLabel: `reset-${target.name}`,
      backupReason: `before resetting ${target.name}`,
    },
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
