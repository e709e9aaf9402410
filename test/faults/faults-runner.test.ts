// The runner itself under stress: Ctrl-C and SIGTERM in each phase of its
// start-up, two runners started at once on one workspace, its port taken.
// Each case: what the terminal says, nothing of the case left running, the
// learner's files unchanged.
import { createServer, type Server } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgsOf } from '../helpers/npm-scripts.ts';
import { repoRoot } from '../helpers/repo.ts';
import { startChild } from '../../runner/process/child.ts';
import { isPortFree } from '../../runner/process/ports.ts';
import { steps } from '../../runner/steps.ts';
import { processesWithEnv } from '../helpers/process-table.ts';
import { fixturesDir } from '../helpers/verify-fixtures.ts';
import { startWorkshopRunner, waitFor, workshopSandbox } from '../helpers/workshop-runner.ts';
import { app, expectNoOrphans, expectReadable, faultFixtures, newMarker, picture, untilState, uiState, type Marker } from './helpers.ts';
import { runnerFetch } from '../helpers/runner-http.ts';

/** The runner as a terminal starts it, output captured, in a sandbox of its own (or the one given). */
function spawnRunner(box: { workspace: string; state: string }, m: Marker, env: Record<string, string> = {}, port = 0) {
  const lines: string[] = [];
  const child = startChild(process.execPath, [...nodeArgsOf('workshop'), '--port', String(port), '--no-open'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', WORKSHOP_WORKSPACE: box.workspace, WORKSHOP_STATE: box.state, ...m.env, ...env },
    keepLines: 1000,
    onLine: (line) => lines.push(line),
  });
  const output = () => lines.join('\n');
  return {
    child,
    output,
    until: (what: string, re: RegExp, timeoutMs = 20_000) => waitFor(what, () => re.exec(output()), timeoutMs),
    url: () => /The workshop is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output())?.[1],
  };
}

/** A TCP server that accepts connections and never says a word: a Redis that hangs. */
async function silentServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, connections: () => count };
}

const open: Server[] = [];
afterAll(async () => {
  for (const s of open) s.close();
});

type Run = ReturnType<typeof spawnRunner>;

interface Phase {
  name: string;
  /** The workspace: a copy of this folder. */
  workspaceFrom: string;
  /** The runner's environment for this case, and how to know it is in the phase. */
  prepare(): Promise<{ env: Record<string, string>; reached: (run: Run) => Promise<unknown> }>;
  /** Whether the runner's own shutdown handler is in place (it says "Stopping the workshop…"). */
  handled: boolean;
}

const noRedis = { REDIS_URL: 'redis://127.0.0.1:1' };
const announced = async (run: Run) => (await run.until('the announcement', /The workshop is at (\S+)/))[1]!;

/** A phase reached through the runner's WORKSHOP_PAUSE_AT hook (runner/workshop.ts). */
const pausedAt = (stage: string, handled: boolean, name: string): Phase => ({
  name,
  workspaceFrom: steps()[0]!.dir,
  handled,
  prepare: async () => ({
    env: { ...noRedis, WORKSHOP_PAUSE_AT: stage },
    reached: (run) => run.until('the pause', new RegExp(`\\[paused\\] ${stage}`)),
  }),
});

const phases: Phase[] = [
  pausedAt('state loaded', false, 'before it listens'),
  pausedAt('listening', false, 'listening, before it says where'),
  pausedAt('first deck rendered', true, 'serving slides, before Redis and the apps'),
  {
    name: 'waiting for a Redis that does not answer',
    workspaceFrom: steps()[0]!.dir,
    handled: true,
    prepare: async () => {
      const silent = await silentServer();
      open.push(silent.server);
      return {
        env: { REDIS_URL: `redis://127.0.0.1:${silent.port}` },
        reached: async (run) => {
          await announced(run);
          await waitFor('the runner to connect to Redis', () => silent.connections() > 0);
        },
      };
    },
  },
  {
    name: 'starting an app that never listens',
    workspaceFrom: join(fixturesDir, 's1-never-listens'),
    handled: true,
    prepare: async () => ({
      env: noRedis,
      reached: async (run) => {
        const url = await announced(run);
        await untilState(url, 'the app starting', (s) => app(s, 'workspace')?.state === 'starting' && app(s, 'solution')?.state === 'running');
      },
    }),
  },
  {
    name: 'everything up',
    workspaceFrom: steps()[0]!.dir,
    handled: true,
    prepare: async () => ({
      env: noRedis,
      reached: async (run) => {
        const url = await announced(run);
        await untilState(url, 'both apps running', (s) => s.apps.length === 2 && s.apps.every((a) => a.state === 'running'));
      },
    }),
  },
];

describe('Ctrl-C and SIGTERM in each phase of start-up', () => {
  const cases = phases.flatMap((p) => (['SIGINT', 'SIGTERM'] as const).map((signal) => ({ ...p, signal })));
  it.concurrent.each(cases)('$signal $name: exits at once, leaves nothing running, changes no file', async (c) => {
    const m = newMarker();
    const box = await workshopSandbox(c.workspaceFrom);
    const before = await picture(box.workspace);
    const { env, reached } = await c.prepare();
    const run = spawnRunner(box, m, env);
    try {
      await reached(run);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(run.url() ?? '')?.[1] ?? 0);
      // Ctrl-C reaches the terminal's foreground group; SIGTERM the process (a service manager, `kill`).
      if (c.signal === 'SIGINT') process.kill(-run.child.pid, 'SIGINT');
      else process.kill(run.child.pid, 'SIGTERM');
      const started = Date.now();
      const exit = await run.child.exited;
      expect(Date.now() - started).toBeLessThan(6000);
      // At once: --port 0 gave it an ephemeral port, which anything on the machine may take later.
      if (port) expect(await isPortFree(port), `port ${port} free once the runner exited`).toBe(true);
      if (c.handled) {
        expect(exit.code).toBe(c.signal === 'SIGINT' ? 130 : 143);
        expect(run.output()).toContain('Stopping the workshop…');
      } else {
        // Nothing started yet: the signal's default action is the right one.
        expect(exit.signal).toBe(c.signal);
      }
      expectReadable(run.output());
      await expectNoOrphans(m);
      expect(await picture(box.workspace)).toEqual(before);
    } finally {
      await run.child.stop(1000);
      await rm(box.root, { recursive: true, force: true });
    }
  });
});

describe('two runners started at once on one workspace', () => {
  it('the second says where the first runs and exits 1; the first is unharmed and serves on', async () => {
    const m = newMarker();
    const box = await workshopSandbox(steps()[0]!.dir);
    const before = await picture(box.workspace);
    const a = spawnRunner(box, m, noRedis);
    const b = spawnRunner(box, m, noRedis);
    try {
      // Exactly one of them wins, whichever the system scheduled first.
      const loser = await Promise.race([a.child.exited.then(() => a), b.child.exited.then(() => b)]);
      const winner = loser === a ? b : a;
      expect((await loser.child.exited).code).toBe(1);
      const url = (await winner.until('the winner to start', /The workshop is at (\S+)/))[1]!;
      await untilState(url, 'both apps running', (s) => s.apps.every((x) => x.state === 'running') && s.apps.length === 2);
      expect(loser.output()).toMatch(/^The workshop is already (running at http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+ \(process \d+\): open that link, or stop it \(Ctrl-C in its terminal\) first|starting in process \d+: wait for it, or stop it first)\.$/);
      expectReadable(loser.output());

      // Started again now, a third one names the first's address.
      const c = spawnRunner(box, m, noRedis);
      expect((await c.child.exited).code).toBe(1);
      expect(c.output()).toBe(`The workshop is already running at ${url} (process ${winner.child.pid}): open that link, or stop it (Ctrl-C in its terminal) first.`);
      expect((await uiState(url)).apps.every((x) => x.state === 'running')).toBe(true);

      // Once the first stops, the workspace is free again.
      process.kill(winner.child.pid, 'SIGTERM');
      expect((await winner.child.exited).code).toBe(143);
      const d = spawnRunner(box, m, noRedis);
      const url2 = (await d.until('a new runner to start', /The workshop is at (\S+)/))[1]!;
      await untilState(url2, 'its apps running', (s) => s.apps.length === 2 && s.apps.every((x) => x.state === 'running'));
      await d.child.stop(8000);
      await expectNoOrphans(m);
      expect(await picture(box.workspace)).toEqual(before);
    } finally {
      await Promise.all([a.child.stop(1000), b.child.stop(1000)]);
      await rm(box.root, { recursive: true, force: true });
    }
  });

  it('a claim left by a runner that was killed outright (SIGKILL) does not block the next one', async () => {
    const m = newMarker();
    const box = await workshopSandbox(steps()[0]!.dir);
    const a = spawnRunner(box, m, noRedis);
    try {
      await a.until('the first to start', /The workshop is at/);
      process.kill(a.child.pid, 'SIGKILL');
      await a.child.exited;
      const b = spawnRunner(box, m, noRedis);
      await b.until('the next to start', /The workshop is at/);
      await b.child.stop(8000);
      await expectNoOrphans(m);
    } finally {
      await a.child.stop(1000);
      await rm(box.root, { recursive: true, force: true });
    }
  });

  it("a runner killed outright takes down its apps' detached helpers too", async () => {
    // The watchdog shell outlives the runner: it kills the apps' groups, then
    // whatever carries their tags (a helper that left its app's group).
    const m = newMarker();
    const box = await workshopSandbox(join(faultFixtures, 'detached-helper'));
    const a = spawnRunner(box, m, noRedis);
    try {
      await a.until('the runner to start', /The workshop is at/);
      const helper = () => processesWithEnv(m.marker).find((p) => p.args.includes('detached helper'));
      await waitFor('the helper running', helper);
      process.kill(a.child.pid, 'SIGKILL');
      await a.child.exited;
      await expectNoOrphans(m);
    } finally {
      await a.child.stop(1000);
      await rm(box.root, { recursive: true, force: true });
    }
  });

  it('two runners on two workspaces both run, on different ports', async () => {
    const m = newMarker();
    const [one, two] = await Promise.all([
      startWorkshopRunner({ workspaceFrom: steps()[0]!.dir, env: { ...m.env, REDIS_URL: 'redis://127.0.0.1:1' } }),
      startWorkshopRunner({ workspaceFrom: steps()[0]!.dir, env: { ...m.env, REDIS_URL: 'redis://127.0.0.1:1' } }),
    ]);
    try {
      expect(one.port).not.toBe(two.port);
      for (const r of [one, two]) await untilState(r.link, 'both apps running', (s) => s.apps.length === 2 && s.apps.every((x) => x.state === 'running'));
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
    await expectNoOrphans(m);
  });
});

/** A port N such that N..N+50 are all free now, bound by us. */
async function occupyRange(count: number): Promise<{ first: number; servers: Server[] }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const servers: Server[] = [];
    let ok = true;
    for (let p = first; p < first + count && ok; p++) {
      const s = createServer();
      ok = await new Promise<boolean>((r) => {
        s.once('error', () => r(false));
        s.listen({ port: p, host: '127.0.0.1', exclusive: true }, () => r(true));
      });
      if (ok) servers.push(s);
    }
    if (ok) return { first, servers };
    for (const s of servers) s.close();
  }
  throw new Error('no free range of ports');
}

describe('its port taken', () => {
  it('port 4000 taken: it moves to the next free port and says so', async () => {
    // 4000 is ours to take if nobody has it; if someone has, it is taken all the same.
    const squatter = createServer();
    await new Promise<void>((r) => squatter.once('error', () => r()).listen({ port: 4000, host: '127.0.0.1', exclusive: true }, () => r()));
    const m = newMarker();
    const runner = await startWorkshopRunner({ port: 4000, env: { ...m.env, REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      expect(runner.port).toBeGreaterThan(4000);
      expect(runner.output()).toContain(`Port 4000 is in use, so the workshop uses port ${runner.port} instead.`);
      expect((await runnerFetch(runner.link, "")).status).toBe(200);
    } finally {
      await runner.stop();
      squatter.close();
    }
    await expectNoOrphans(m);
  });

  it('the port asked for and the 50 after it taken: one sentence, exit 1', async () => {
    const { first, servers } = await occupyRange(51);
    const m = newMarker();
    const box = await workshopSandbox(steps()[0]!.dir);
    try {
      const run = spawnRunner(box, m, noRedis, first);
      const exit = await run.child.exited;
      expect(exit.code).toBe(1);
      expect(run.output()).toBe(`Starting the workshop…\nPort ${first} and the ones after it are in use: pass another with --port N.`);
      await expectNoOrphans(m);
    } finally {
      for (const s of servers) s.close();
      await rm(box.root, { recursive: true, force: true });
    }
  });
});
