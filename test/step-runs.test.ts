// What a step's tab is told of its checks (issue 23, point 3): the latest run
// on the workspace, kept in progress.json across restarts; never an earlier
// pass over a later failure; stale once the workspace changed; hidden by a
// later skip. Real files in a temporary folder.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetSkip, readProgress, recordProgress, recordRun, type StepRun } from '../runner/progress.ts';
import { stepViews } from '../runner/state.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'step-runs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const run = (outcome: StepRun['outcome'], failed: number, at: string): StepRun => ({ outcome, passed: 19, failed, skipped: failed ? 13 : 0, at });
const view = async (step: string, change?: { at: number; what: string }) => stepViews(await readProgress(dir), change).find((v) => v.name === step)!;

describe('the latest run of a step', () => {
  it('says a failure after a pass: the pass stays recorded, the tab is told the failure', async () => {
    await recordRun('step4', run('passed', 0, '2026-12-06T10:00:00.000Z'), dir);
    await recordRun('step4', run('failed', 4, '2026-12-06T10:30:00.000Z'), dir);
    const v = await view('step4');
    expect(v.status).toBe('passed');
    expect(v.run).toEqual({ outcome: 'failed', passed: 19, failed: 4, skipped: 13, at: Date.parse('2026-12-06T10:30:00.000Z') });
    // Kept on disk: a runner started again tells the same.
    const saved = JSON.parse(await readFile(join(dir, 'progress.json'), 'utf8'));
    expect(saved.runs.step4.outcome).toBe('failed');
  });

  it('is stale once the workspace changed after it started, and not before', async () => {
    await recordRun('step2', run('passed', 0, '2026-12-06T10:00:00.000Z'), dir);
    expect((await view('step2', { at: Date.parse('2026-12-06T09:59:00.000Z'), what: 'your last change' })).run?.stale).toBeUndefined();
    expect((await view('step2', { at: Date.parse('2026-12-06T10:01:00.000Z'), what: 'your last change' })).run?.stale).toBe(true);
  });

  it('gives way to a later skip, and shows again once the skip is undone', async () => {
    await recordRun('step3', run('failed', 2, '2026-12-06T10:00:00.000Z'), dir);
    await recordProgress('step3', 'skipped', dir);
    expect((await view('step3')).run).toBeUndefined();
    expect((await view('step3')).status).toBe('skipped');
    await forgetSkip('step3', dir);
    expect((await view('step3')).run?.outcome).toBe('failed');
  });

  it('counts a pass recorded before runs were (an older progress.json) as the latest run', async () => {
    await recordProgress('step1', 'passed', dir);
    const v = await view('step1');
    expect(v.run?.outcome).toBe('passed');
    expect((await view('step2')).run).toBeUndefined();
  });
});
