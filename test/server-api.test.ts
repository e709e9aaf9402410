// The UI's API doing what the buttons promise, against the real server and
// the real workspace module in a temporary folder: jump to a step, skip one
// (recorded as skipped, never passed), switch to a solution and restore the
// backup, diff against a solution, open a file in the editor, and refuse
// unknown steps and files in one sentence.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../runner/server/app.ts';
import { WorkshopState } from '../runner/state.ts';
import { readProgress } from '../runner/progress.ts';
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
  const res = await fetch(`${base}/api${path}`);
  return { status: res.status, data: await res.json() };
}

describe('steps', () => {
  it('lists the steps with their progress and the current one', async () => {
    const { data } = await get('/state');
    expect(data.current).toBe('step1');
    expect(data.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['step1:todo', 'step2:todo', 'step3:todo', 'step4:todo']);
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

  it('answers an unknown step with the known ones', async () => {
    const { status, data } = await post('/step', { step: 'step9' });
    expect(status).toBe(404);
    expect(data.error).toBe('There is no step "step9". The steps are step1, step2, step3, step4.');
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

describe('open in editor', () => {
  it('opens a workspace file at a line in the learner\'s editor', async () => {
    const { status, data } = await post('/open', { file: 'workspace/app.js:12' });
    expect(status).toBe(200);
    expect(data.line).toBe(12);
    const line = await waitFor('the editor to be called', async () => (await readFile(editorLog(), 'utf8').catch(() => '')).trim());
    expect(line).toContain(join(root, 'workspace', 'app.js'));
    expect(line).toContain('12');
  });

  it('refuses files outside the workspace and the workshop', async () => {
    for (const file of ['/etc/passwd', '../../../../etc/passwd:1', 'workspace/../../secret.txt']) {
      const { status, data } = await post('/open', { file });
      expect(status, file).toBe(404);
      expect(data.error).toMatch(/^There is no file .* in your workspace or the workshop\.$/);
    }
  });
});
