// The learner's progress, kept in .workshop/progress.json:
// { "steps": { "step2": { "status": "passed", "at": "2026-11-25T10:00:00.000Z" } },
//   "runs": { "step2": { "outcome": "failed", "passed": 9, "failed": 2, "skipped": 1, "at": "…" } } }
// A skipped step is recorded as skipped, never as passed. A pass stays in
// "steps" for good; "runs" holds each step's latest run on the workspace,
// so the page never says "passed" of a step whose latest run failed.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stateDir } from './paths.ts';

export type StepStatus = 'passed' | 'skipped';

/** The latest run of a step's checks on the workspace. */
export interface StepRun {
  /** 'error': the checks could not run (no package.json, no Redis…). */
  outcome: 'passed' | 'failed' | 'error';
  passed: number;
  failed: number;
  skipped: number;
  /** When the run started: a change of the workspace after it makes it stale. */
  at: string;
}

export interface Progress {
  steps: Record<string, { status: StepStatus; at: string }>;
  runs?: Record<string, StepRun>;
}

function progressFile(dir: string): string {
  return join(dir, 'progress.json');
}

/** The recorded progress; empty when there is none yet or the file is unreadable. */
export async function readProgress(dir = stateDir()): Promise<Progress> {
  try {
    const data = JSON.parse(await readFile(progressFile(dir), 'utf8')) as Partial<Progress>;
    const runs = typeof data.runs === 'object' && data.runs ? { runs: data.runs } : {};
    return { steps: typeof data.steps === 'object' && data.steps ? data.steps : {}, ...runs };
  } catch {
    return { steps: {} };
  }
}

/** Records a step's status. A pass is never downgraded to skipped. */
export async function recordProgress(step: string, status: StepStatus, dir = stateDir()): Promise<Progress> {
  const progress = await readProgress(dir);
  if (!(status === 'skipped' && progress.steps[step]?.status === 'passed')) {
    progress.steps[step] = { status, at: new Date().toISOString() };
  }
  await writeProgress(progress, dir);
  return progress;
}

/** Records a run on the workspace as the step's latest; a passing one is also the step's pass. */
export async function recordRun(step: string, run: StepRun, dir = stateDir()): Promise<Progress> {
  const progress = await readProgress(dir);
  progress.runs = { ...progress.runs, [step]: run };
  if (run.outcome === 'passed') progress.steps[step] = { status: 'passed', at: run.at };
  await writeProgress(progress, dir);
  return progress;
}

async function writeProgress(progress: Progress, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Write then rename, so a crash never leaves half a file.
  const tmp = `${progressFile(dir)}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(progress, null, 2) + '\n');
  await rename(tmp, progressFile(dir));
}

/** Forgets a skip of `step` (Undo skip); a pass is kept. Resolves with the progress as it now is. */
export async function forgetSkip(step: string, dir = stateDir()): Promise<Progress> {
  const progress = await readProgress(dir);
  if (progress.steps[step]?.status !== 'skipped') return progress;
  delete progress.steps[step];
  await writeProgress(progress, dir);
  return progress;
}
