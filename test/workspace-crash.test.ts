// A kill at any moment of a switch leaves either the old or the new
// workspace whole, byte for byte, and the learner's edits retrievable.
// WORKSHOP_CRASH_AT makes the real CLI SIGKILL itself at a stage.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { steps } from '../runner/steps.ts';
import { crashStages, type CrashStage } from '../runner/workspace/index.ts';
import { backupNames, cli, isNodeModules, learnerWorkspace, picture, sandbox, siblings, type Sandbox } from './workspace-helpers.ts';

// Up to 'old-aside' the old workspace is still the one; from 'swapped' on, the new one.
const oldWins: readonly CrashStage[] = ['backup-partial', 'backup-done', 'build-partial', 'built', 'old-aside'];

describe('a switch killed at each stage', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(() => box.cleanup());

  it.each(crashStages)('%s: the next command finds a whole workspace and the edits safe', async (stage) => {
    await learnerWorkspace(box.workspace);
    const before = await picture(box.workspace);
    const editsOnly = Object.fromEntries(Object.entries(before).filter(([p]) => !isNodeModules(p)));
    const carried = ['.env', '.gitignore', 'debug.log', 'node_modules/left-pad/index.js'];
    const newWorkspace = {
      ...(await picture(steps()[1]!.dir)),
      ...Object.fromEntries(carried.map((p) => [p, before[p]!])),
    };

    const killed = await cli(box, ['solution', 'step2', '--yes'], { WORKSHOP_CRASH_AT: stage });
    expect(killed.signal).toBe('SIGKILL');

    const next = await cli(box, ['list']);
    expect(next.exitCode).toBe(0);
    expect(await picture(box.workspace)).toEqual(oldWins.includes(stage) ? before : newWorkspace);
    expect(await siblings(box)).toEqual([]);
    if (['old-aside', 'swapped', 'carry-partial', 'carried'].includes(stage)) {
      expect(next.stderr).toMatch(/A switch of .* was interrupted/);
    }

    // No half backup is ever left, and a whole one holds the edits byte for byte.
    const backups = (await backupNames(box)).filter((n) => !n.endsWith('.json'));
    expect(backups.every((n) => !n.startsWith('.'))).toBe(true);
    if (stage === 'backup-partial') expect(backups).toEqual([]);
    else {
      expect(backups).toHaveLength(1);
      expect(await picture(join(box.state, 'backups', backups[0]!))).toEqual(editsOnly);
    }

    // And the workspace is usable: the switch can be made again.
    const again = await cli(box, ['solution', 'step2', '--yes']);
    expect(again.exitCode).toBe(0);
    expect(await picture(box.workspace)).toEqual(newWorkspace);
    expect(await readdir(box.root)).toEqual(['.workshop', 'workspace']);
  });
});
