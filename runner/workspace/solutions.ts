// The workspace compared with the step solutions (steps/start included):
// which one it is identical to, if any, and what separates it from one.
// A switch uses the first to decide whether a backup is needed.
import { diffSnapshots, type TreeDiff } from './diff.ts';
import { ensureWorkspace, type Log } from './recovery.ts';
import { findStep, steps, unknownStepMessage, workshop, type Step } from '../steps.ts';
import { bulkyOnly, listTree, readSnapshot, sameSnapshot, workspaceRules, type Listing, type Snapshot } from './tree.ts';
import { WorkspaceError } from './errors.ts';
import { withLock } from './lock.ts';
import { exists, places, type Places } from './places.ts';

interface Solution {
  name: string;
  dir: string;
}

const solutions = (): Solution[] => [{ name: 'start', dir: workshop().start }, ...steps().map((s) => ({ name: s.name, dir: s.dir }))];

async function solutionSnapshot(dir: string) {
  return readSnapshot(dir, (await listTree(dir, bulkyOnly)).files);
}

/** The solution a workspace listed as `listing` is identical to, if any. */
export async function matchOf(workspace: string, listing: Listing): Promise<string | undefined> {
  const names = new Set(listing.files);
  let ours: Snapshot | undefined;
  for (const solution of solutions()) {
    const { files } = await listTree(solution.dir, bulkyOnly);
    // Other file names cannot be identical: only a solution with the same names is read.
    if (files.length !== names.size || !files.every((f) => names.has(f))) continue;
    ours ??= await readSnapshot(workspace, listing.files);
    if (sameSnapshot(ours, await readSnapshot(solution.dir, files))) return solution.name;
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

/** The step named, or a WorkspaceError saying which steps there are. */
export function toStep(step: Step | string): Step {
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
