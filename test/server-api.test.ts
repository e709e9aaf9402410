// The UI's API doing what the buttons promise, against the real server and
// the real workspace module in a temporary folder: jump to a step, skip one
// (recorded as skipped, never passed), switch to a solution and restore the
// backup, diff against a solution, open a file in the editor, and refuse
// unknown steps and files in one sentence.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startUiServer, type UiServer } from '../runner/server/app.ts';
import { WorkshopState } from '../runner/state.ts';
import { readProgress } from '../runner/progress.ts';
import { findStep } from '../runner/steps.ts';
import { waitFor } from './helpers/workshop-runner.ts';

let root: string;
let state: WorkshopState;
let ui: UiServer;
let base: string;
const token = 'api-test-token';
const editorLog = () => join(root, 'editor.log');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workshop-api-'));
  // A stand-in editor that writes down what it was asked to open.
  const editor = join(root, 'fake-editor.sh');
  await writeFile(editor, `#!/bin/sh\necho "$@" >> '${editorLog()}'\n`);
  await chmod(editor, 0o755);
  process.env.LAUNCH_EDITOR = editor;
  state = await WorkshopState.load(token, { ...process.env, WORKSHOP_WORKSPACE: join(root, 'workspace'), WORKSHOP_STATE: join(root, 'state') });
  ui = await startUiServer(state, 0);
  base = `http://127.0.0.1:${ui.port}`;
});

afterAll(async () => {
  delete process.env.LAUNCH_EDITOR;
  await ui?.close();
  await rm(root, { recursive: true, force: true });
});

async function post(path: string, body: unknown): Promise<{ status: number; data: any }> {
  const res = await fetch(`${base}/api${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base, 'X-Workshop-Token': token },
    body: JSON.stringify(body),
  });
  return { status: res.status, data: await res.json() };
}

async function get(path: string): Promise<{ status: number; data: any }> {
  const res = await fetch(`${base}/api${path}`, { headers: { 'X-Workshop-Token': token } });
  return { status: res.status, data: await res.json() };
}

describe('steps', () => {
  it('lists the steps with their progress and the current one', async () => {
    const { data } = await get('/state');
    expect(data.current).toBe('step1');
    expect(data.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['step1:todo', 'step2:todo', 'step3:todo', 'step4:todo', 'step5:todo']);
  });

  it('jumps to any step', async () => {
    const { status, data } = await post('/step', { step: '3' });
    expect(status).toBe(200);
    expect(data.current).toBe('step3');
  });

  it('records a skip as skipped, not passed, and moves to the next step', async () => {
    await post('/step', { step: 'step1' });
    const { data } = await post('/skip', { step: 'step1' });
    expect(data.current).toBe('step2');
    expect(data.steps[0]).toMatchObject({ name: 'step1', status: 'skipped' });
    expect((await readProgress(join(root, 'state'))).steps.step1?.status).toBe('skipped');
  });

  it('takes a skip back: the step is open again', async () => {
    const { status, data } = await post('/unskip', { step: 'step1' });
    expect(status).toBe(200);
    expect(data.current).toBe('step1');
    expect(data.steps[0]).toMatchObject({ name: 'step1', status: 'todo' });
    expect((await readProgress(join(root, 'state'))).steps.step1).toBeUndefined();
  });

  it('has no kept result for a step never verified', async () => {
    expect((await get('/results/step2')).data).toEqual({ step: 'step2', result: null });
    expect((await get('/results/step9')).status).toBe(404);
  });

  it('answers an unknown step with the known ones', async () => {
    const { status, data } = await post('/step', { step: 'step9' });
    expect(status).toBe(404);
    expect(data.error).toBe('There is no step "step9". The steps are step1, step2, step3, step4, step5.');
    const deck = await get('/decks/nope');
    expect(deck.status).toBe(404);
    const slide = await get('/decks/step1/999');
    expect(slide.status).toBe(404);
    expect(slide.data.error).toMatch(/^step1 has \d+ slides; there is no slide 999\.$/);
  });
});

describe('the workspace', () => {
  it('diffs against a solution, switches to it after a backup, and restores that backup', async () => {
    const diff = await get('/diff/step1');
    expect(diff.status).toBe(200);
    expect(diff.data.diff.identical).toBe(false); // created from steps/start
    // The learner's own change, which the switch must keep in a backup.
    await writeFile(join(root, 'workspace', 'app.js'), '// my own work\n');
    const switched = await post('/switch', { step: 'step1' });
    expect(switched.status).toBe(200);
    expect(switched.data.result).toMatchObject({ switched: true, backup: true });
    expect((await get('/diff/step1')).data.diff.identical).toBe(true);
    const { data } = await get('/backups');
    expect(data.backups).toHaveLength(1);
    const restored = await post('/restore', { name: data.backups[0].name });
    expect(restored.status).toBe(200);
    expect(await readFile(join(root, 'workspace', 'app.js'), 'utf8')).toBe('// my own work\n');
  });

  it('refuses a backup that does not exist, in one sentence', async () => {
    const { status, data } = await post('/restore', { name: 'no-such-backup' });
    expect(status).toBe(404);
    expect(data.error).toMatch(/no-such-backup/);
    expect(data.error).not.toMatch(/runner failed/);
    expect(data.error).not.toMatch(/\n\s+at /);
  });
});

describe('reset a step', () => {
  it('puts back where the step starts (the step before\'s solution), after a backup named by what it holds', async () => {
    await writeFile(join(root, 'workspace', 'app.js'), '// my own work on step 2\n');
    const { status, data } = await post('/reset', { step: 'step2' });
    expect(status).toBe(200);
    expect(data.result).toMatchObject({ switched: true, backup: true, to: 'step1' });
    expect(data.result.backupMade.label).toBe('Your files, before resetting step 2');
    expect(data.result.backupMade.name).toMatch(/-reset-step2$/);
    expect(await readFile(join(root, 'workspace', 'app.js'), 'utf8')).toBe(await readFile(join(findStep('step1')!.dir, 'app.js'), 'utf8'));
    expect(await readFile(join(data.result.backupMade.path, 'app.js'), 'utf8')).toBe('// my own work on step 2\n');
  });
});

describe('file references', () => {
  it('says which exist, so the page makes buttons of those only', async () => {
    const refs = ['workspace/app.js:3', 'app.js', 'Node.js', '/stylesheets/style.css', '/etc/passwd', 'workspace/../../secret.js'];
    const { status, data } = await post('/files', { refs });
    expect(status).toBe(200);
    expect(data.exists).toEqual({
      'workspace/app.js:3': true,
      'app.js': true,
      'Node.js': false,
      '/stylesheets/style.css': false,
      '/etc/passwd': false,
      'workspace/../../secret.js': false,
    });
    expect((await post('/files', { refs: 'app.js' })).status).toBe(400);
  });
});

describe('open in editor', () => {
  it('opens a workspace file at a line in the learner\'s editor', async () => {
    const { status, data } = await post('/open', { file: 'workspace/app.js:12' });
    expect(status).toBe(200);
    expect(data.line).toBe(12);
    const line = await waitFor('the editor to be called', async () => (await readFile(editorLog(), 'utf8').catch(() => '')).trim());
    expect(line).toContain(join(root, 'workspace', 'app.js'));
    expect(line).toContain('12');
  });

  it('without an editor, answers with the path to open and how to set one', async () => {
    // launch-editor may still find an editor running on this machine: each sentence says how to set one.
    for (const name of ['LAUNCH_EDITOR', 'VISUAL', 'EDITOR']) vi.stubEnv(name, '');
    try {
      const { status, data } = await post('/open', { file: 'workspace/app.js:2' });
      expect(status).toBe(200);
      expect(data).toMatchObject({ opened: null, file: join(root, 'workspace', 'app.js'), line: 2 });
      expect(data.error).toMatch(/set LAUNCH_EDITOR to your editor's command \(e\.g\. LAUNCH_EDITOR=code\) and restart the workshop, or open it yourself\.$/);
    } finally {
      vi.unstubAllEnvs(); // each as it was, unset ones unset again
    }
  });

  it('refuses files outside the workspace, the steps and the slides, and lines a file does not have', async () => {
    const asked = (await readFile(editorLog(), 'utf8').catch(() => '')).trim();
    for (const file of ['/etc/passwd', '../../../../etc/passwd:1', 'workspace/../../secret.txt', '.git/config', 'tsconfig.json', 'workshop.json', 'node_modules/.bin/workshop',
      'checks/step1.ts', 'workspace/app.js:100000', 'workspace/app.js:0', 'workspace/app.js:100000000000000000000000', 'steps/step1/app.js:100000']) {
      const { status, data } = await post('/open', { file });
      expect(status, file).toBe(404);
      expect(data.error).toMatch(/^There is no file \S+( with a line \S+)? in your workspace or the workshop's steps and slides\.$/);
    }
    expect((await post('/open', { file: 'workspace/app.js:1e+23' })).status).toBe(400);
    // A file of a step or of the slides opens.
    expect((await post('/open', { file: 'steps/step1/app.js:1' })).status).toBe(200);
    await waitFor('the editor to be called again', async () => (await readFile(editorLog(), 'utf8').catch(() => '')).includes(join('steps', 'step1', 'app.js')));
    // Nothing refused reached the editor.
    const calls = (await readFile(editorLog(), 'utf8')).trim().slice(asked.length);
    expect(calls).not.toMatch(/passwd|secret|\.git|tsconfig|workshop\.json|node_modules|checks/);
  });
});
