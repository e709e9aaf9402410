// The room, measured (issue 22, points 4 and 5):
//
// 1. A learner's verify with a room that cannot be reached, against the same
//    verify with no room: `verify step1` in the terminal on step 1's
//    solution as the learner's workspace, in interleaved rounds, (a) in no
//    room, (a') in a room that answers, (b) in a room whose port refuses (Redis down), (c) in a room that
//    accepts the connection and never answers (slow: the terminal waits at
//    most FLUSH_MS for it). The exit code must be 0 every time.
// 2. A room of `learners` simulated learners on one Redis, each appending a
//    report every `everyMs` (the real Reporter and entryFields, one
//    connection each, like a learner's runner), read by the real `room`
//    command: how long a report takes to reach the room page's live stream
//    (/api/room/events, what the page draws from), the room runner's RSS,
//    and Redis's memory, with the stream already past its cap.
//
// Run alone: `node --import tsx bench/room.ts verify [runs]`, or `… scale [seconds]`.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArgsOf } from '../test/helpers/npm-scripts.ts';
import { repoRoot } from '../test/helpers/repo.ts';
import { throwawayRedis } from '../test/helpers/redis.ts';
import { startRoom } from '../test/helpers/room.ts';
import { tokenIn } from '../test/helpers/runner-http.ts';
import { roomKey, writeRoom } from '../runner/room/config.ts';
import { entryFields } from '../runner/room/entry.ts';
import { Reporter, STREAM_MAXLEN } from '../runner/room/report.ts';
import type { CheckResult } from '../runner/verify/check.ts';
import { summarize, type Summary } from './stats.ts';

export interface RoomBench {
  verify: { noRoom: Summary; reachable: Summary; refused: Summary; silent: Summary };
  scale: {
    learners: number;
    everyMs: number;
    seconds: number;
    reports: number;
    /** From a learner's XADD to the frame of the room page's stream that shows it, ms. */
    latency: Summary & { p95: number; over1s: number };
    /** The room runner's resident memory, MB: the highest seen. */
    roomRssMb: number;
    /** Reading the whole (full) stream when the room page starts. */
    startMs: number;
    redis: { streamEntries: number; usedMemoryMb: number; afterPrefillMb: number; prefilled: number };
  };
}

/** One `verify step1` of the workspace, as a learner types it; ms. */
function verifyOnce(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgsOf('verify'), 'step1', '--json'], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`verify exited ${code}:\n${out}`))));
  });
}

async function learnerBox(roomUrl?: string) {
  const root = await mkdtemp(join(tmpdir(), 'workshop-bench-room-'));
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  const workspace = join(root, 'workspace');
  await cp(join(repoRoot, 'steps/step1'), workspace, { recursive: true });
  const state = join(root, '.workshop');
  if (roomUrl) writeRoom(state, { url: roomUrl, name: 'Bench', key: roomKey(repoRoot) });
  return { env: { WORKSHOP_WORKSPACE: workspace, WORKSHOP_STATE: state }, dispose: () => rm(root, { recursive: true, force: true }) };
}

export async function benchVerifyWithRoom(runs: number): Promise<RoomBench['verify']> {
  // A port that accepts and never answers: a room that is slow, or behind a firewall that drops replies.
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const silentPort = (silent.address() as { port: number }).port;
  const redis = await throwawayRedis();
  const boxes = [await learnerBox(), await learnerBox(redis.url), await learnerBox('redis://127.0.0.1:1'), await learnerBox(`redis://127.0.0.1:${silentPort}`)];
  try {
    for (const b of boxes) await verifyOnce(b.env); // warm-up
    const times: number[][] = boxes.map(() => []);
    for (let i = 0; i < runs; i++) for (const [j, b] of boxes.entries()) times[j]!.push(Math.round(await verifyOnce(b.env)));
    // Each verify handed its report to a process of its own: give the last one a moment.
    let reported = 0;
    for (let i = 0; i < 50 && reported < runs + 1; i++) {
      reported = Number(await redis.client.xLen(roomKey(repoRoot)));
      if (reported < runs + 1) await new Promise((r) => setTimeout(r, 100));
    }
    if (reported !== runs + 1) throw new Error(`the room that answers got ${reported} reports of ${runs + 1} verifies`);
    return { noRoom: summarize(times[0]!), reachable: summarize(times[1]!), refused: summarize(times[2]!), silent: summarize(times[3]!) };
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    await redis.dispose();
    await Promise.all(boxes.map((b) => b.dispose()));
  }
}

const checkIds = ['listens', 'dependencies', 'session', 'store', 'counter', 'survives-restart', 'shared', 'httponly', 'static', 'secret'].map((c) => `step3.${c}`);
function checksOf(progress: number): CheckResult[] {
  return checkIds.map((id, i) => ({
    id,
    title: id,
    status: i < progress ? 'passed' : i === progress ? 'failed' : 'skipped',
    message: '',
    hint: i === progress ? 'Give `session()` a store: `store: new RedisStore({ client })`, with the client connected before the app listens.' : '',
    slide: { deck: 'step3', slide: 4 + i, title: 'app.js: Configure a new session', file: 'slides/step3.md' },
    ms: 3,
  }));
}

const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

export async function benchRoomScale(options: { learners?: number; everyMs?: number; seconds?: number } = {}): Promise<RoomBench['scale']> {
  const { learners = 200, everyMs = 10_000, seconds = 60 } = options;
  const redis = await throwawayRedis();
  const key = roomKey(repoRoot);
  // Past the cap before the room starts: the stream's memory is at its bound, and the room page reads all of it.
  const prefilled = STREAM_MAXLEN + 10_000;
  for (let i = 0; i < prefilled; i += 500) {
    const batch = redis.client.multi();
    for (let j = i; j < i + 500; j++) {
      const fields = entryFields({ step: 'step3', checks: checksOf(j % 10) }, { learner: `old-learner-${String(j % 300).padStart(4, '0')}`, name: `Old ${j % 300}`, slide: 'step3/4' });
      batch.addCommand(['XADD', key, 'MAXLEN', '~', String(STREAM_MAXLEN), '*', ...Object.entries(fields).flat()]);
    }
    await batch.exec();
  }
  const usedMb = async () => Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]) / 2 ** 20;
  const afterPrefillMb = await usedMb();
  const startedAt = performance.now();
  const room = await startRoom(redis.url);
  const startMs = Math.round(performance.now() - startedAt);
  const reporters: Reporter[] = [];
  const timers: NodeJS.Timeout[] = [];
  const latencies: number[] = [];
  const seen = new Map<string, number>();
  let maxRss = rssMb(room.process.pid);
  const abort = new AbortController();
  try {
    // The page's live stream, read as the page reads it.
    const res = await fetch(new URL('api/room/events', room.url), { headers: { 'X-Workshop-Token': tokenIn(room.link) }, signal: abort.signal });
    const reading = (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const now = Date.now();
          for (const l of (JSON.parse(data.slice(6)) as { learners: { id: string; at: number }[] }).learners) {
            if (!l.id.startsWith('bench-') || seen.get(l.id) === l.at) continue;
            seen.set(l.id, l.at);
            latencies.push(now - l.at);
          }
        }
      }
    })().catch(() => {});
    for (let i = 0; i < learners; i++) {
      const learner = `bench-learner-${String(i).padStart(4, '0')}`;
      const reporter = new Reporter({ url: redis.url, name: `Learner ${i}`, learner, key });
      reporters.push(reporter);
      let progress = i % 10;
      const send = () => reporter.send(entryFields({ step: 'step3', checks: checksOf(progress++ % 10) }, { learner, name: `Learner ${i}`, slide: 'step3/5' }));
      // Spread over the interval, as a room's verifies are.
      timers.push(setTimeout(() => {
        send();
        timers.push(setInterval(send, everyMs));
      }, Math.round((i * everyMs) / learners)));
    }
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000));
      maxRss = Math.max(maxRss, rssMb(room.process.pid));
    }
    for (const t of timers) clearTimeout(t);
    await new Promise((r) => setTimeout(r, 1500)); // the last reports arrive
    abort.abort();
    await reading;
    const sorted = [...latencies].sort((a, b) => a - b);
    const streamEntries = Number(await redis.client.xLen(key));
    return {
      learners,
      everyMs,
      seconds,
      reports: latencies.length,
      latency: { ...summarize(latencies.length ? latencies : [0]), p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, over1s: latencies.filter((l) => l > 1000).length },
      roomRssMb: Math.round(maxRss),
      startMs,
      redis: { streamEntries, usedMemoryMb: Math.round((await usedMb()) * 10) / 10, afterPrefillMb: Math.round(afterPrefillMb * 10) / 10, prefilled },
    };
  } finally {
    abort.abort();
    for (const t of timers) clearTimeout(t);
    for (const r of reporters) r.close();
    await room.stop();
    await redis.dispose();
  }
}

if (import.meta.filename === process.argv[1]) {
  // `bench/room.ts verify [runs]` or `bench/room.ts scale [seconds]`.
  const [part = 'scale', n] = process.argv.slice(2);
  if (part === 'verify') console.log(JSON.stringify(await benchVerifyWithRoom(Number(n ?? 5)), null, 2));
  else console.log(JSON.stringify(await benchRoomScale({ seconds: Number(n ?? 60) }), null, 2));
}
