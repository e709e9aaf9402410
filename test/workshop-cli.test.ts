// `npm run workshop` from the terminal's side: what it says when Redis is
// missing (and that slides keep working), when its port is taken, when the
// arguments are wrong, and that Ctrl-C stops everything it started.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { freePort } from '../runner/process/ports.ts';
import { repoRoot } from './helpers/repo.ts';
import { steps } from '../runner/steps.ts';
import { processesWithEnv } from './helpers/process-table.ts';
import { startWorkshopRunner, waitFor } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';

interface Snapshot {
  redis: { state: string; message?: string };
  apps: { id: string; state: string }[];
}

describe('npm run workshop', () => {
  it('says plainly when Redis is missing, and keeps serving slides and steps 1 and 2', async () => {
    const deadPort = await freePort();
    const runner = await startWorkshopRunner({ workspaceFrom: steps()[0]!.dir, env: { REDIS_URL: `redis://127.0.0.1:${deadPort}` } });
    try {
      const state = await waitFor('Redis to be given up on', async () => {
        const s = (await (await runnerFetch(runner.link, `api/state`)).json()) as Snapshot;
        return s.redis.state === 'unavailable' && s.apps.length === 2 && s.apps.every((a) => a.state === 'running') ? s : undefined;
      });
      expect(state.redis.message).toMatch(/^REDIS_URL is set to redis:\/\/127\.0\.0\.1:\d+, but Redis does not answer there/);
      expect(runner.output()).toMatch(/The slides and step1 and step2 keep working; step3, step4 and step5 need Redis\./);
      expect((await runnerFetch(runner.link, `api/decks/step3/1`)).status).toBe(200);
      expect(runner.output()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      await runner.stop();
    }
  });

  it('creates the workspace from steps/start on the first run, and says where it is', async () => {
    const runner = await startWorkshopRunner({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    try {
      // The page a browser opens at once, before the apps run, may already frame both of them.
      const csp = (await runnerFetch(runner.link, "")).headers.get('content-security-policy') ?? '';
      await waitFor('the workspace app to run', async () => {
        const s = (await (await runnerFetch(runner.link, `api/state`)).json()) as Snapshot;
        return s.apps.find((a) => a.id === 'workspace')?.state === 'running';
      });
      const { apps } = (await (await runnerFetch(runner.link, `api/state`)).json()) as { apps: { id: string; port: number }[] };
      expect(apps.map((a) => a.port)).toHaveLength(2);
      for (const a of apps) expect(csp).toContain(`http://127.0.0.1:${a.port}`);
      expect(runner.output()).toMatch(/Created .*workspace\/ from steps\/start: this is your app, edit it there\./);
      expect(await readFile(join(runner.workspace, 'app.js'), 'utf8')).toBe(await readFile(join(repoRoot, 'steps/start/app.js'), 'utf8'));
    } finally {
      await runner.stop();
    }
  });

  it('takes the next free port when the one asked for is in use, and says so', async () => {
    const port = await freePort();
    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    const runner = await startWorkshopRunner({ port, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      expect(runner.port).toBeGreaterThan(port);
      expect(runner.output()).toContain(`Port ${port} is in use, so the workshop uses port ${runner.port} instead.`);
      expect((await runnerFetch(runner.link, "")).status).toBe(200);
    } finally {
      await runner.stop();
      squatter.close();
    }
  });

  it('--help or -h, after any command, prints every command and exits 0 without doing anything', async () => {
    const box = await mkdtemp(join(tmpdir(), 'workshop-help-'));
    try {
      const env = { WORKSHOP_WORKSPACE: join(box, 'workspace'), WORKSHOP_STATE: join(box, '.workshop') };
      // As a learner types it: npm's scripts, and the usage in their words.
      for (const args of [['workshop', '--', '--help'], ['verify', '--', '-h'], ['solution', '--', 'step3', '--help'], ['workshop', '--', 'restore', '-h']]) {
        const result = await execa('npm', ['run', '-s', ...args], { cwd: repoRoot, reject: false, env });
        expect(result.exitCode, args.join(' ')).toBe(0);
        expect(result.stderr).toBe('');
        for (const command of ['npm run workshop [', 'npm run verify <step>', 'npm run solution <step>', 'npm run workshop -- restore', 'npm run workshop -- export <dir>']) {
          expect(result.stdout).toContain(command);
        }
      }
      // As an author types it: the engine's bin.
      const bin = await execa(join(repoRoot, 'node_modules', '.bin', 'workshop'), ['--help'], { cwd: repoRoot, reject: false, env });
      expect(bin.exitCode).toBe(0);
      for (const command of ['workshop [--port N --no-open]', 'workshop verify <step>', 'workshop solution <step> [--yes]', 'workshop restore [backup]', 'workshop init <dir>']) {
        expect(bin.stdout).toContain(command);
      }
      // Not even a workspace was created, nor a backup made.
      expect(await readdir(box)).toEqual([]);
    } finally {
      await rm(box, { recursive: true, force: true });
    }
  });

  it('refuses a bad --port with the usage, exit code 2', async () => {
    const result = await execa(process.execPath, ['runner/launch.js', '--port', 'abc'], { cwd: repoRoot, reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--port must be a port number (0 to 65535), not "abc".');
    expect(result.stderr).toContain('Usage: npm run workshop');
  });

  it('stops the apps and itself on Ctrl-C, leaving nothing running', async () => {
    const marker = `WORKSHOP_CTRL_C=${randomUUID()}`;
    const [name, value] = marker.split('=') as [string, string];
    const runner = await startWorkshopRunner({ workspaceFrom: steps()[0]!.dir, env: { [name]: value, REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      await waitFor('both apps running', async () => {
        const s = (await (await runnerFetch(runner.link, `api/state`)).json()) as Snapshot;
        return s.apps.length === 2 && s.apps.every((a) => a.state === 'running');
      });
      // The runner and its two apps.
      expect(processesWithEnv(marker).length).toBeGreaterThanOrEqual(3);
      process.kill(-runner.process.pid, 'SIGINT'); // what a terminal sends on Ctrl-C
      const exit = await runner.process.exited;
      expect(exit.code).toBe(130);
      expect(runner.output()).toContain('Stopping the workshop');
      await waitFor('every process to be gone', () => processesWithEnv(marker).length === 0, 5000);
    } finally {
      await runner.stop();
    }
  });
});
