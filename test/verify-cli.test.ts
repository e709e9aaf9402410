// `npm run verify` end to end: exit codes, the last line, --json, and the
// usage errors a learner meets (unknown step, missing folder, no workspace).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, runCli } from './helpers/verify-cli.ts';

const step1 = join(repo, 'steps/step1');
const noStatic = join(repo, 'test/fixtures/apps/s1-no-static');
const noWorkspace = { WORKSHOP_WORKSPACE: join(tmpdir(), 'no-such-workspace-here') };

describe('npm run verify', () => {
  it('exits 0 when every check passes, and ends with "N passed, 0 failed"', async () => {
    const { code, stdout } = await runCli(['step1', '--dir', step1]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('5 passed, 0 failed');
    expect(lines.filter((l) => l.startsWith('  ✔ '))).toHaveLength(5);
    expect(stdout).not.toContain('\x1b[');
  });

  it('exits 1 when a check fails, with the failure detailed above the summary', async () => {
    const { code, stdout } = await runCli(['1', '--dir', noStatic]);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n').at(-1)).toBe('4 passed, 1 failed');
    expect(stdout).toMatch(/  ✖ \/stylesheets\/style\.css is served from public\/ as text\/css  step1\.stylesheet  \d+ ms/);
    expect(stdout).toMatch(/Hint: .*express\.static/);
    expect(stdout).toMatch(/Slide: slides\/step1\.md, slide \d+/);
  });

  it('--json prints one report object', async () => {
    const { code, stdout } = await runCli(['step1', '--dir', noStatic, '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Record<string, unknown> & { checks: Record<string, unknown>[] };
    expect(report).toMatchObject({ step: 'step1', dir: noStatic, passed: 4, failed: 1 });
    expect(typeof report.ms).toBe('number');
    expect(report.checks).toHaveLength(5);
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(['hint', 'id', 'message', 'ms', 'slide', 'status', 'title']);
      expect(check.slide).toMatchObject({ deck: 'step1', slide: expect.any(Number), title: expect.any(String) });
    }
    expect(report.checks.find((c) => c.status === 'failed')?.id).toBe('step1.stylesheet');
  });

  it('an unknown step exits 2 and lists the steps', async () => {
    const { code, stderr, stdout } = await runCli(['step9']);
    expect(code).toBe(2);
    expect(stderr).toContain('There is no step "step9". The steps are step1, step2, step3, step4, step5.');
    expect(stdout).toBe('');
  });

  it('no step at all exits 2 and lists the steps', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Name a step: step1, step2, step3, step4, step5.');
  });

  it('a missing folder exits 2, naming it', async () => {
    const missing = join(tmpdir(), 'verify-no-such-dir');
    const { code, stderr } = await runCli(['step1', '--dir', missing]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`There is no folder ${missing}.`);
  });

  it('a folder without package.json exits 2, naming the file', async () => {
    const dir = join(repo, 'test/fixtures/apps');
    for (const args of [[], ['--watch']]) {
      // With --watch too: a usage error at once, not a loop of failed runs.
      const { code, stderr } = await runCli(['step1', '--dir', dir, ...args]);
      expect(code).toBe(2);
      expect(stderr).toContain(`${join(dir, 'package.json')} does not exist`);
    }
  });

  it('without a workspace, says how to get one', async () => {
    const { code, stderr } = await runCli(['step1'], noWorkspace);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'There is no workspace yet: run `npm run workshop` to create it, or `npm run solution step1 -- --yes`.',
    );
  });

  it('bad options exit 2', async () => {
    expect((await runCli(['step1', '--dir', step1, '--timeout', 'soon'])).code).toBe(2);
    expect((await runCli(['step1', '--frobnicate'])).code).toBe(2);
    expect((await runCli(['step1', 'step2'])).code).toBe(2);
  });

  it('a relative --dir is relative to where the learner typed the command', async () => {
    const { code, stdout } = await runCli(['step1', '--dir', 'step1', '--json'], { INIT_CWD: join(repo, 'steps') });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { dir: string }).dir).toBe(join(repo, 'steps', 'step1'));
  });

  it('colour follows FORCE_COLOR and NO_COLOR', async () => {
    const forced = await runCli(['step1', '--dir', noStatic], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\x1b[');
    const none = await runCli(['step1', '--dir', noStatic], { NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(none.stdout).not.toContain('\x1b[');
  });

  it('records a pass in progress.json for the workspace only', async () => {
    const state = await mkdtemp(join(tmpdir(), 'verify-state-'));
    try {
      // Verifying a step's own solution folder is not the learner's progress.
      expect((await runCli(['step1', '--dir', step1], { ...noWorkspace, WORKSHOP_STATE: state })).code).toBe(0);
      await expect(readFile(join(state, 'progress.json'), 'utf8')).rejects.toThrow();
      // A failing workspace is no pass; its run is the step's latest (the page's step tab says it).
      expect((await runCli(['step1'], { WORKSHOP_WORKSPACE: noStatic, WORKSHOP_STATE: state })).code).toBe(1);
      const failing = JSON.parse(await readFile(join(state, 'progress.json'), 'utf8'));
      expect(failing.steps.step1).toBeUndefined();
      expect(failing.runs.step1).toMatchObject({ outcome: 'failed', failed: 1 });
      // The workspace passing is.
      expect((await runCli(['step1'], { WORKSHOP_WORKSPACE: step1, WORKSHOP_STATE: state })).code).toBe(0);
      const progress = JSON.parse(await readFile(join(state, 'progress.json'), 'utf8'));
      expect(progress.steps.step1.status).toBe('passed');
      expect(progress.runs.step1).toMatchObject({ outcome: 'passed', failed: 0 });
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  });
});
