// `npm run workshop -- list`, run for real.
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordProgress } from '../runner/progress.ts';
import { steps } from '../runner/steps.ts';
import { cli, sandbox, type Sandbox } from './workspace-helpers.ts';

let box: Sandbox;
beforeEach(async () => {
  box = await sandbox();
});
afterEach(() => box.cleanup());

it('shows each step with its title and progress, and which solution the workspace is', async () => {
  await recordProgress('step1', 'passed', box.state);
  await recordProgress('step2', 'skipped', box.state);
  await cp(steps()[1]!.dir, box.workspace, { recursive: true });
  const r = await cli(box, ['list']);
  expect(r.exitCode).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^ {2}step1 {2}An Express app +passed$/);
  expect(lines[1]).toMatch(/^ {2}step2 {2}Cookie parsing +skipped {2}← workspace\/$/);
  expect(lines[2]).toMatch(/^ {2}step3 {2}A persistent session store +not yet$/);
  expect(lines[3]).toMatch(/^ {2}step4 {2}Logging in and out +not yet$/);
  expect(lines[4]).toMatch(/^ {2}step5 {2}Your devices +not yet$/);
  expect(lines[5]).toBe(`${box.workspace}/ is step2's solution, untouched.`);
});

it('says when the workspace holds the learner’s own work, or does not exist yet, without creating it', async () => {
  const none = await cli(box, ['list']);
  expect(none.stdout).toContain('does not exist yet');
  expect(none.stdout).toMatch(/step1 .* not yet/);
  expect(existsSync(box.workspace)).toBe(false);
  await cp(steps()[0]!.dir, box.workspace, { recursive: true });
  await cp(steps()[2]!.dir + '/app.js', box.workspace + '/app.js');
  const own = await cli(box, ['list']);
  expect(own.stdout).toContain(`${box.workspace}/ holds your own work.`);
  expect(own.stdout).not.toContain('←');
});

it('exits 2 for an option it does not know', async () => {
  const r = await cli(box, ['list', '--all']);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain("Unknown option '--all'");
});
