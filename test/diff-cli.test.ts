// `npm run workshop -- diff <step>`, run for real.
import { cp, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { steps } from '../runner/steps.ts';
import { cli, learnerWorkspace, sandbox, type Sandbox } from './workspace-helpers.ts';

let box: Sandbox;
beforeEach(async () => {
  box = await sandbox();
});
afterEach(() => box.cleanup());

it('prints a unified diff from the workspace to the solution, in colour when asked', async () => {
  await learnerWorkspace(box.workspace);
  const plain = await cli(box, ['diff', 'step1']);
  expect(plain.exitCode).toBe(0);
  expect(plain.stdout).toContain('--- workspace/app.js\n+++ step1/app.js');
  expect(plain.stdout).toContain('-// my own line, keep it');
  expect(plain.stdout).not.toContain('SESSION_SECRET'); // .env is never shown
  expect(plain.stdout).not.toContain('\u001b[');
  expect(plain.stdout.trim().split('\n').pop()).toBe('3 files differ: 1 changed, 2 only in workspace/.');

  const coloured = await cli(box, ['diff', 'step1'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
  expect(coloured.stderr).toBe('');
  expect(coloured.stdout).toContain('\u001b[31m-// my own line, keep it\u001b[39m');
});

it('says so when the workspace is the solution', async () => {
  await cp(steps()[2]!.dir, box.workspace, { recursive: true });
  await writeFile(`${box.workspace}/.env`, 'X=1\n');
  const r = await cli(box, ['diff', '3']);
  expect(r.exitCode).toBe(0);
  expect(r.stdout.trim()).toBe("workspace/ is identical to step3's solution.");
});

it('exits 2 for an unknown step, listing the steps', async () => {
  const r = await cli(box, ['diff', 'step7']);
  expect(r.exitCode).toBe(2);
  expect(r.stderr.trim()).toBe('There is no step "step7". The steps are step1, step2, step3, step4, step5.');
});
