// Issue 10: a run's clean-up and a start still under way. Once a scope is
// closing nothing new starts in it, and close() waits for the starts under
// way and stops what they started; so verify ends as soon as its checks do,
// and leaves nothing running, even when a copy of the app is mid-start.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../checks/harness.ts';
import { Scope, ScopeClosedError } from '../runner/process/scope.ts';
import { isRunning, processesWithEnv } from './helpers/process-table.ts';
import { repo, startCli, tempApp } from './helpers/verify-cli.ts';

const fixture = join(repo, 'test/fixtures/faults/slow-restart');

/** `node -e` arguments for a server that listens on PORT after `ms`. */
const sleeper = (ms: number) => [
  '-e',
  `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1'), ${ms})`,
];

describe('a scope that is closing', () => {
  it('refuses a start', async () => {
    const scope = new Scope();
    const closed = scope.close();
    expect(() => scope.startChild(process.execPath, sleeper(0), { cwd: repo })).toThrow(ScopeClosedError);
    await closed;
  });

  it('waits for a start under way, and stops what it started, before it resolves', async () => {
    const scope = new Scope();
    let pid = 0;
    // Work that spawns a child only after close() has begun: the probe
    // between stopping one instance and starting the next.
    const work = scope.track(
      (async () => {
        await new Promise((r) => setTimeout(r, 100));
        pid = scope.startChild(process.execPath, sleeper(0), { cwd: repo }).pid;
      })(),
    );
    const closed = scope.close();
    await expect(work).rejects.toThrow(ScopeClosedError);
    await closed;
    expect(pid).toBe(0);
  });

  it('ends the wait of an app that is still starting, and stops it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'workshop-race-'));
    try {
      await writeFile(join(dir, 'slow.cjs'), sleeper(10_000)[1]!);
      const scope = new Scope();
      const starting = startApp({ dir, entry: 'slow.cjs', env: { ...process.env }, timeoutMs: 20_000 }, scope);
      starting.catch(() => {});
      // Until the app is spawned: then close() must end its wait, not sit out the 10 s.
      await until(() => findPid(dir));
      const pid = findPid(dir)!;
      const started = Date.now();
      await scope.close();
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(starting).rejects.toThrow(/ended/);
      expect(isRunning(pid)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The pid of the `node slow.cjs` running in `dir`. */
function findPid(dir: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === dir && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('slow.cjs')) return Number(name);
    } catch {
      // gone, or not ours
    }
  }
  return undefined;
}

async function until(ok: () => unknown, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('verify whose checks end while a copy of the app is starting', () => {
  it('exits at once with its verdict and leaves no copy of the app running', async () => {
    const app = await tempApp(fixture);
    try {
      const run = startCli(['step3', '--dir', app.dir]);
      await run.waitFor(/\d+ passed, \d+ failed/, 60_000);
      const verdictAt = Date.now();
      const { code } = await run.done;
      const exitMs = Date.now() - verdictAt;
      expect(code, run.stdout() + run.stderr()).toBe(1);
      expect(run.stdout()).toMatch(/✖.*step1\.home-page/);
      // The slow copy waits 3 s before it listens: waiting for it would show.
      expect(exitMs).toBeLessThan(2500);
      const pids = (await readdir(join(app.dir, 'pids'))).map(Number);
      expect(pids.length, 'the fresh copy of the app was started').toBe(2);
      expect(pids.filter(isRunning), 'copies of the app still running after verify exited').toEqual([]);
    } finally {
      await app.dispose();
    }
  });

  it('refuses the fresh copy a probe asks for once the run is ending', async () => {
    // WORKSHOP_PAUSE_AT=restart holds the restart probe until the clean-up has
    // begun, then lets it start the fresh copy: the exact order that hung.
    const marker = `VERIFY_RACE_TEST=${process.pid}-${Date.now()}`;
    const [name, value] = marker.split('=') as [string, string];
    const run = startCli(['step3', '--dir', join(repo, 'test/fixtures/apps/s3-client-not-connected')], {
      WORKSHOP_PAUSE_AT: 'restart',
      WORKSHOP_TRACE: '1',
      [name]: value,
    });
    await run.waitFor(/\d+ passed, \d+ failed/, 60_000);
    const verdictAt = Date.now();
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
    const { code } = await run.done;
    clearTimeout(timer);
    expect(code, run.stdout() + run.stderr()).toBe(1);
    expect(run.stderr()).toContain('paused at restart until the run ends');
    expect(Date.now() - verdictAt).toBeLessThan(3000);
    const apps = processesWithEnv(marker).filter((p) => p.args.includes('app.js'));
    expect(apps.map((p) => `${p.pid} ${p.args}`)).toEqual([]);
  });
});
