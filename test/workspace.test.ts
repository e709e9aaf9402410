import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { steps, workshop } from '../runner/steps.ts';
import {
  diffAgainst,
  ensureWorkspace,
  listBackups,
  matchingStep,
  planSwitch,
  restoreBackup,
  switchTo,
  WorkspaceError,
} from '../runner/workspace/index.ts';
import { isNodeModules, learnerWorkspace, picture, sandbox, siblings, write, type Sandbox } from './workspace-helpers.ts';

const step = (n: number) => steps()[n - 1]!;
const quiet = () => {};

describe('planSwitch', () => {
  const current = { files: ['app.js', 'package.json'], ignored: ['.env', 'node_modules', 'public'] };

  it('backs up a workspace with the learner’s own changes, and carries ignored files over', () => {
    const plan = planSwitch(current, undefined, 'step2', ['app.js', 'views/index.pug']);
    expect(plan).toMatchObject({ backup: true, carry: ['.env', 'node_modules', 'public'], replace: [], nothingToDo: false });
  });

  it('needs no backup for a workspace identical to a solution', () => {
    expect(planSwitch(current, 'step1', 'step2', ['app.js']).backup).toBe(false);
  });

  it('backs up even an identical workspace when the target replaces one of its ignored files', () => {
    const plan = planSwitch(current, 'step1', 'step2', ['app.js', 'public/stylesheets/style.css']);
    expect(plan).toMatchObject({ backup: true, replace: ['public'], carry: ['.env', 'node_modules'] });
  });

  it('has nothing to do when the workspace already is the target', () => {
    expect(planSwitch(current, 'step2', 'step2', ['app.js'])).toMatchObject({ nothingToDo: true, backup: false });
  });
});

describe('the workspace', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(() => box.cleanup());

  it('is created from steps/start on first use, once', async () => {
    expect(await ensureWorkspace({ places: box.places })).toBe(true);
    expect(await picture(box.workspace)).toEqual(await picture(workshop().start));
    expect(await matchingStep({ places: box.places })).toBe('start');
    expect(await ensureWorkspace({ places: box.places })).toBe(false);
  });

  it('matches a step only when identical, not counting node_modules and .env', async () => {
    await cp(step(2).dir, box.workspace, { recursive: true });
    await write(box.workspace, { '.env': 'X=1\n', 'node_modules/a/index.js': '' });
    expect(await matchingStep({ places: box.places })).toBe('step2');
    await writeFile(join(box.workspace, 'app.js'), (await readFile(join(box.workspace, 'app.js'), 'utf8')) + ' ');
    expect(await matchingStep({ places: box.places })).toBeUndefined();
  });

  it('switches to a solution: the edits are in a backup byte for byte, ignored files carried over', async () => {
    await learnerWorkspace(box.workspace);
    const before = await picture(box.workspace);
    const result = await switchTo('step2', { places: box.places, log: quiet });

    expect(result).toMatchObject({ switched: true, to: 'step2', backup: true });
    const beforeWithoutPackages = Object.fromEntries(Object.entries(before).filter(([p]) => !isNodeModules(p)));
    expect(await picture(result.backupMade!.path)).toEqual(beforeWithoutPackages);
    expect(result.carried.sort()).toEqual(['.env', '.gitignore', 'debug.log', 'node_modules']);
    const after = await picture(box.workspace);
    const expected = {
      ...(await picture(step(2).dir)),
      '.env': before['.env'],
      '.gitignore': before['.gitignore'],
      'debug.log': before['debug.log'],
      'node_modules/left-pad/index.js': before['node_modules/left-pad/index.js'],
    };
    expect(after).toEqual(expected);
    expect(await siblings(box)).toEqual([]);
  });

  it('restores a backup, backing up the workspace it replaces first', async () => {
    await learnerWorkspace(box.workspace);
    const before = await picture(box.workspace);
    const switched = await switchTo('step3', { places: box.places, log: quiet });
    await write(box.workspace, { 'app.js': '// tried something on step 3\n' });
    const afterEdit = await picture(box.workspace, isNodeModules);

    const restored = await restoreBackup(switched.backupMade!.name, { places: box.places, log: quiet });
    expect(await picture(box.workspace)).toEqual(before);
    expect(await picture(restored.backupMade!.path)).toEqual(afterEdit);
    expect((await listBackups({ places: box.places })).map((b) => b.name)).toEqual([
      restored.backupMade!.name,
      switched.backupMade!.name,
    ]);
  });

  it('does not back up a workspace that is a solution as is', async () => {
    await ensureWorkspace({ places: box.places });
    const result = await switchTo('step1', { places: box.places });
    expect(result).toMatchObject({ switched: true, was: 'start', backup: false });
    expect(result.backupMade).toBeUndefined();
    expect(await listBackups({ places: box.places })).toEqual([]);
  });

  it('does nothing when the workspace already is the step', async () => {
    await cp(step(1).dir, box.workspace, { recursive: true });
    const result = await switchTo('1', { places: box.places, confirm: async () => expect.unreachable('asked') });
    expect(result).toMatchObject({ switched: false, nothingToDo: true });
  });

  it('changes nothing when confirm says no', async () => {
    await learnerWorkspace(box.workspace);
    const before = await picture(box.workspace);
    const result = await switchTo('step2', { places: box.places, confirm: async (plan) => (expect(plan.backup).toBe(true), false) });
    expect(result.switched).toBe(false);
    expect(await picture(box.workspace)).toEqual(before);
    expect(await listBackups({ places: box.places })).toEqual([]);
  });

  it('runs two switches asked for at once one after the other', async () => {
    await learnerWorkspace(box.workspace);
    const [a, b] = await Promise.all([
      switchTo('step2', { places: box.places, log: quiet }),
      switchTo('step3', { places: box.places, log: quiet }),
    ]);
    expect([a.switched, b.switched]).toEqual([true, true]);
    expect(b.was).toBe('step2'); // the second saw the first's result, so needed no backup
    expect(await picture(box.workspace, (p) => isNodeModules(p) || ['.env', '.gitignore', 'debug.log'].includes(p))).toEqual(
      await picture(step(3).dir),
    );
    expect(await listBackups({ places: box.places })).toHaveLength(1);
  });

  it('lets a diff asked for during a switch wait for it, never seeing half a switch', async () => {
    await learnerWorkspace(box.workspace);
    const switching = switchTo('step2', { places: box.places, log: quiet });
    const diff = diffAgainst('step2', { places: box.places });
    expect((await switching).switched).toBe(true);
    expect((await diff).identical).toBe(true);
  });

  it('refuses an unwritable state folder with one sentence, and changes nothing', async () => {
    await learnerWorkspace(box.workspace);
    await writeFile(box.state, 'a file where .workshop/ should be');
    const before = await picture(box.workspace);
    const error = await switchTo('step2', { places: box.places }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).code).toBe('state-unwritable');
    expect((error as Error).message).toMatch(/\.workshop is a file, not a folder\. Nothing was changed/);
    expect(await picture(box.workspace)).toEqual(before);
    expect(await siblings(box)).toEqual([]);
  });

  it('diffs the workspace against a step, leaving out node_modules and .env', async () => {
    await learnerWorkspace(box.workspace);
    const d = await diffAgainst('step1', { places: box.places });
    expect(d.files.map((f) => [f.path, f.status]).sort()).toEqual([
      ['app.js', 'changed'],
      ['notes/todo.md', 'removed'],
      ['public/logo.bin', 'removed'],
    ]);
    expect(d.files.find((f) => f.path === 'app.js')!.patch).toContain('-// my own line, keep it');
  });

  it('names an unknown step with the known ones', async () => {
    await expect(switchTo('step9', { places: box.places })).rejects.toThrow('There is no step "step9". The steps are step1, step2, step3, step4, step5.');
  });
});
