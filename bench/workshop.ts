// The workshop runner's start-up: from spawning `npm run workshop --
// --no-open` (the command in package.json's `workshop` script, run
// directly: npm's own start-up is not ours to measure) to the first slide
// answering 200, and the runner's memory (VmRSS) once every deck is
// rendered and Redis and both apps are up.
//
// Each run gets its own temporary workspace and state, and a throwaway
// redis-server through REDIS_URL, so the bench never touches port 6379 or
// the learner's data.
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArgsOf } from '../test/helpers/npm-scripts.ts';
import { repoRoot } from '../test/helpers/repo.ts';
import { startChild } from '../runner/process/child.ts';
import { storeDir } from '../runner/server/deck-store.ts';
import { startRedisServer } from '../runner/redis.ts';
import { steps } from '../runner/steps.ts';
import { summarize, type Summary } from './stats.ts';

export interface WorkshopBench {
  /** Spawn to first slide answering 200, in ms: a learner's usual start, decks rendered in an earlier run. */
  start: Summary;
  /** The same with no rendered decks kept from earlier runs (the very first start after npm install). */
  coldStart: Summary;
  /** CPU time the runner used up to the first slide (warm start): what a loaded machine does not inflate. */
  startCpu: Summary;
  /** The runner process's VmRSS with every deck loaded, in MB (largest over all runs). */
  rssMb: number;
}

/** CPU time (user + system) the process has used, in ms: unlike wall time, barely moved by other load on the machine. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the file, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function vmRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kb / 1024;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface State {
  redis: { state: string };
  apps: { state: string }[];
}

export interface StartRun {
  /** Spawn to first slide answering 200, in ms. */
  ms: number;
  cpuMs: number;
  /** VmRSS with everything loaded; 0 when `memory` was off. */
  rssMb: number;
}

/**
 * One start of the runner, stopped (its whole process group) before this
 * resolves. `memory: false` stops it right after the first slide: for
 * comparisons that need only the start-up time, without waiting for Redis,
 * both apps and every deck.
 */
export async function workshopStartOnce(redisUrl: string, { memory = true } = {}): Promise<StartRun> {
  const args = nodeArgsOf('workshop');
  const root = await mkdtemp(join(tmpdir(), 'workshop-bench-'));
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  await cp(steps()[0]!.dir, join(root, 'workspace'), { recursive: true });
  // Started the way the tests start it: its own process group, stopped
  // whole (SIGTERM, then SIGKILL) even if the runner hangs.
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((r) => (announce = r));
  const started = performance.now();
  const child = startChild(process.execPath, [...args, '--port', '0', '--no-open'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', REDIS_URL: redisUrl, WORKSHOP_WORKSPACE: join(root, 'workspace'), WORKSHOP_STATE: join(root, '.workshop') },
    onLine: (line) => {
      const m = /The workshop is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
      if (m) announce(m[1]!);
    },
  });
  try {
    const link = await Promise.race([
      announced,
      child.exited.then((e) => Promise.reject(new Error(`bench: the runner exited (${JSON.stringify(e)}):\n${child.log.join('\n')}`))),
    ]);
    // As a script of the learner's reads it: with the link's token.
    const headers = { 'X-Workshop-Token': new URL(link).searchParams.get('token')! };
    const url = link.replace(/\?.*$/, '');
    await until('the first slide', async () => ((await fetch(`${url}api/decks/step1/1`, { headers })).status === 200 ? true : undefined));
    const ms = performance.now() - started;
    const cpu = await cpuMs(child.pid);
    if (!memory) return { ms, cpuMs: cpu, rssMb: 0 };
    // Memory with everything loaded: Redis and both apps up, every deck rendered.
    await until('Redis and the apps', async () => {
      const s = (await (await fetch(`${url}api/state`, { headers })).json()) as State;
      return s.redis.state !== 'starting' && s.apps.length === 2 && s.apps.every((a) => a.state !== 'starting' && a.state !== 'stopped') ? true : undefined;
    });
    for (const s of steps()) await fetch(`${url}api/decks/${s.name}`, { headers }).then((r) => r.arrayBuffer());
    const rssMb = await vmRssMb(child.pid);
    return { ms, cpuMs: cpu, rssMb };
  } finally {
    await child.stop(8000);
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs `fn` with a throwaway redis-server, stopped and deleted after, so the bench never touches port 6379 or the learner's data. */
export async function withBenchRedis<T>(fn: (redisUrl: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'workshop-bench-redis-'));
  const redis = await startRedisServer({ dir, persist: false });
  try {
    return await fn(redis.url);
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function benchWorkshopStart(runs: number): Promise<WorkshopBench> {
  return withBenchRedis(async (redisUrl) => {
    // One unmeasured run warms the disk cache and the runner's build, as a
    // learner's second start would be.
    await workshopStartOnce(redisUrl);
    const warm: number[] = [];
    const cold: number[] = [];
    const cpu: number[] = [];
    let rss = 0;
    for (let i = 0; i < runs; i++) {
      // Alternate, so a busy moment of the machine hits both alike.
      const w = await workshopStartOnce(redisUrl);
      await rm(storeDir(), { recursive: true, force: true });
      const c = await workshopStartOnce(redisUrl);
      warm.push(w.ms);
      cpu.push(w.cpuMs);
      cold.push(c.ms);
      rss = Math.max(rss, w.rssMb, c.rssMb);
    }
    return { start: summarize(warm), coldStart: summarize(cold), startCpu: summarize(cpu), rssMb: Math.round(rss * 10) / 10 };
  });
}

// `node --import tsx bench/workshop.ts [runs]` runs it alone.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const result = await benchWorkshopStart(Number(process.argv[2] ?? 7));
  console.log(JSON.stringify(result, null, 2));
}
