// `npm run bench`: every speed figure the workshop promises, measured on this
// machine in one run, with a baseline measured in the same run beside each.
// Prints a table, or one JSON object with --json. `--runs N` (default 5).
// `--only a,b` measures only those parts, out of baseline, verify, workshop,
// deck, store, room (a verify in an unreachable room; 200 learners in one room: see room.ts) and peers (our verify and start-up against learnyounode's and
// reveal-md's, installed on first use: see peers.ts), e.g.
// `npm run bench -- --only peers --runs 2`.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/helpers/repo.ts';
import { benchDeck } from './deck.ts';
import { benchPeers, type Comparison } from './peers.ts';
import { benchStore } from './store.ts';
import { summarize, type Summary } from './stats.ts';
import { benchVerify, benchVerifyInterleaved } from './verify.ts';
import { steps } from '../runner/steps.ts';
import { benchWorkshopStart } from './workshop.ts';
import { benchRoomScale, benchVerifyWithRoom } from './room.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, runs: { type: 'string', default: '5' }, only: { type: 'string' } } });
const runs = Math.max(1, Number(values.runs) || 5);
const parts = ['baseline', 'verify', 'workshop', 'deck', 'store', 'room', 'peers'] as const;
type Part = (typeof parts)[number];
const only = values.only?.split(',').map((p) => p.trim()).filter(Boolean);
const unknown = only?.filter((p) => !(parts as readonly string[]).includes(p)) ?? [];
if (unknown.length) {
  console.error(`bench: --only takes ${parts.join(', ')} (comma-separated), not ${unknown.join(', ')}`);
  process.exit(2);
}
const wanted = (part: Part) => !only || only.includes(part);
const progress = (what: string) => values.json || process.stderr.write(`measuring ${what}…\n`);

/** Node doing nothing: the floor under every command of ours (they run from a build, not through tsx). */
function nodeBaseline(): Summary {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', ''], { cwd: repoRoot });
    if (i) times.push(Math.round(performance.now() - t)); // the first run warms the caches
  }
  return summarize(times);
}

let baseline: Summary | undefined;
if (wanted('baseline')) {
  progress('Node start-up (baseline)');
  baseline = nodeBaseline();
}
let verify: Record<string, Summary> | undefined;
if (wanted('verify')) {
  verify = {};
  // Every step of the workshop, each on its solution, in interleaved rounds
  // so that a busy moment of the machine weighs on every step alike.
  const all = steps().map((s) => s.name);
  const samples = await benchVerifyInterleaved(all.map((step) => ({ step, dir: `steps/${step}` })), { runs });
  for (const [i, step] of all.entries()) verify[`${step} (solution)`] = samples[i]!;
  progress('npm run verify step3 (npm included)');
  verify['step3 via npm run'] = await benchVerify('step3', 'steps/step3', { runs, via: 'npm' });
  progress('verify step3 on step 2 (a failing app)');
  verify['step3 on step2 (fails)'] = await benchVerify('step3', 'steps/step2', { runs, expectExit: 1 });
  progress('verify step1 on an app that never listens');
  verify['step1, never listens (fails)'] = await benchVerify('step1', 'test/fixtures/apps/s1-never-listens', { runs, expectExit: 1 });
}
if (wanted('workshop')) progress('workshop start-up');
const workshop = wanted('workshop') ? await benchWorkshopStart(runs) : undefined;
if (wanted('deck')) progress('deck rendering');
const deck = wanted('deck') ? await benchDeck(50, runs) : undefined;
if (wanted('store')) progress('requests per second, Redis store against MemoryStore');
const store = wanted('store') ? await benchStore({ rounds: 3, seconds: 3 }) : undefined;
let room: { verify: Awaited<ReturnType<typeof benchVerifyWithRoom>>; scale: Awaited<ReturnType<typeof benchRoomScale>> } | undefined;
if (wanted('room')) {
  progress('verify step1 in no room, in a room that answers, in one that refuses, in one that never answers');
  const verifyInRoom = await benchVerifyWithRoom(runs);
  progress('200 learners in one room, each verifying every 10 s, for 60 s');
  room = { verify: verifyInRoom, scale: await benchRoomScale({ learners: 200, everyMs: 10_000, seconds: 60 }) };
}
const peers = wanted('peers') ? await benchPeers(runs, progress) : undefined;

const machine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  load: loadavg().map((l) => Math.round(l * 100) / 100),
  date: new Date().toISOString(),
};
// Parts left out by --only are absent (JSON.stringify drops undefined).
const report = { machine, runs, only, baseline, verify, workshop, deck, store, room, peers };

if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const ms = (s: Summary) => `${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)})`;
  const x = (s: Summary) => (baseline ? `${(s.median / baseline.median).toFixed(1)}× baseline` : '');
  // "1.21× step3": a step's verify against the step before's, medians of the same rounds.
  const thanStepBefore = (name: string, s: Summary) => {
    const m = /^(\S+) \(solution\)$/.exec(name);
    const names = steps().map((st) => st.name);
    const before = m ? names[names.indexOf(m[1]!) - 1] : undefined;
    const other = before ? verify?.[`${before} (solution)`] : undefined;
    return other ? `${(s.median / other.median).toFixed(2)}× ${before}` : '';
  };
  type Row = [string, string, string];
  // Ours beside the peer's, from the same interleaved runs; the ratio is of the medians, ours / theirs.
  const peerRows = (c: Comparison, ours: string, theirs: string): Row[] =>
    'notMeasured' in c
      ? [[`${c.tool}: ${theirs}`, '', `not measured: ${c.notMeasured}`]]
      : [
          [`${ours} (beside ${c.tool})`, ms(c.ours), `${c.ratio.toFixed(2)}× ${c.tool}`],
          [`${c.tool}: ${theirs}`, ms(c.peer), ''],
        ];
  const rows: Row[] = [
    ...(baseline ? [['Node start-up, doing nothing (baseline)', ms(baseline), ''] satisfies Row] : []),
    ...Object.entries(verify ?? {}).map(([name, s]): Row => [`verify ${name}`, ms(s), [x(s), thanStepBefore(name, s)].filter(Boolean).join(', ')]),
    ...(workshop
      ? ([
          ['workshop: start to first slide (usual)', ms(workshop.start), x(workshop.start)],
          ['workshop: start to first slide (first ever)', ms(workshop.coldStart), x(workshop.coldStart)],
          ['workshop: runner RSS, every deck loaded', `${workshop.rssMb} MB`, ''],
        ] satisfies Row[])
      : []),
    ...(deck
      ? ([
          [`decks: first render, fresh process (${deck.decks} decks, ${deck.slides} slides)`, ms(deck.cold), ''],
          ['decks: render all, warm', `${deck.warm.median.toFixed(1)} ms (${deck.warm.min.toFixed(1)}–${deck.warm.max.toFixed(1)})`, ''],
        ] satisfies Row[])
      : []),
    ...(store
      ? ([
          ['step 3 app with the Redis store', `${Math.round(store.redis.median)} req/s`, `${(store.ratio * 100).toFixed(0)}% of MemoryStore`],
          ['step 3 app with MemoryStore (baseline)', `${Math.round(store.memory.median)} req/s`, ''],
        ] satisfies Row[])
      : []),
    ...(room
      ? ((r) =>
          [
            ['verify step1, in no room', ms(r.verify.noRoom), ''],
            ['verify step1, in a room that answers', ms(r.verify.reachable), `${(r.verify.reachable.median / r.verify.noRoom.median).toFixed(2)}× no room`],
            ['verify step1, in a room that refuses (down)', ms(r.verify.refused), `${(r.verify.refused.median / r.verify.noRoom.median).toFixed(2)}× no room`],
            ['verify step1, in a room that never answers', ms(r.verify.silent), `${(r.verify.silent.median / r.verify.noRoom.median).toFixed(2)}× no room`],
            [`room: ${r.scale.learners} learners, a verify each every ${r.scale.everyMs / 1000} s, ${r.scale.seconds} s`, `${r.scale.reports} reports`, ''],
            ['room: a report to the room page\'s stream', `${Math.round(r.scale.latency.median)} ms (${r.scale.latency.min}–${r.scale.latency.max})`, `p95 ${r.scale.latency.p95} ms, ${r.scale.latency.over1s} over 1 s`],
            ['room: the room runner\'s memory (RSS, highest)', `${r.scale.roomRssMb} MB`, ''],
            [`room: start, reading the full stream (${r.scale.redis.streamEntries} entries)`, `${r.scale.startMs} ms`, ''],
            [`room: Redis memory, stream past its cap (${r.scale.redis.prefilled} appended)`, `${r.scale.redis.afterPrefillMb} MB`, `${r.scale.redis.usedMemoryMb} MB after the run`],
          ] satisfies Row[])(room)
      : []),
    ...(peers
      ? [
          ...peerRows(peers.verify, 'verify step3 on its solution', 'verify of HTTP FILE SERVER on its solution'),
          ...peerRows(peers.launch, 'workshop: start to first slide', 'start to the seed deck served'),
        ]
      : []),
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.load.join(' ')}`);
  console.log(`medians of ${runs} runs (min–max)\n`);
  for (const r of rows) console.log(`${r[0].padEnd(w[0]!)}  ${r[1].padStart(w[1]!)}  ${r[2]}`);
}
