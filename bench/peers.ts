// Two ratios against peer tools, each pair measured in the same run and
// interleaved (ours, then theirs, after a warm-up pair), so a busy moment of
// this shared machine hits both alike:
//   verify: our `verify step3` on its solution against learnyounode's
//           `verify` of HTTP FILE SERVER on its standard solution, each a
//           fresh node process, spawn to exit;
//   launch: our runner, spawn to the first slide answering 200 (the code
//           path of workshop.ts), against reveal-md serving the seed deck,
//           spawn to the deck's page answering 200 with its first slide in it.
// The peers are no dependencies of ours: they are installed on demand into
// node_modules/.cache/bench-peers/ at the versions pinned below, once. When
// that fails (offline), their rows say why and the rest of the bench runs.
// Run alone: `npm run bench -- --only peers --runs 3` (a table), or
// `node --import tsx bench/peers.ts [runs]` (JSON).
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../test/helpers/repo.ts';
import { startChild, type Exit } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { summarize, type Summary } from './stats.ts';
import { verifyOnce } from './verify.ts';
import { withBenchRedis, workshopStartOnce } from './workshop.ts';

/**
 * The peers' exact versions, pinned here and nowhere else: the newest of each
 * major (`npm view learnyounode@4 version`, `npm view reveal-md@6 version
 * engines`: reveal-md 6.1.4 wants ^20.9.0; learnyounode declares no engines
 * and runs on Node 20).
 */
export const peerVersions = { learnyounode: '4.2.2', 'reveal-md': '6.1.4' } as const;
type Peer = keyof typeof peerVersions;

/** Under node_modules, so it goes with it and git never sees it. */
export const peersDir = join(repoRoot, 'node_modules', '.cache', 'bench-peers');
/** learnyounode keeps its progress in $HOME/.config/learnyounode (workshopper's storage reads HOME, not XDG): a home of its own keeps a real user's untouched. */
const peersHome = join(peersDir, 'home');
const peerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: peersHome,
  XDG_CONFIG_HOME: join(peersHome, '.config'),
  NO_COLOR: '1',
  // reveal-md calls update-notifier, which otherwise starts a detached process that asks the npm registry.
  NO_UPDATE_NOTIFIER: '1',
});

const shown = (path: string) => relative(repoRoot, path) || '.';

export interface Side extends Summary {
  /** Every measured run in ms, in order. */
  times: number[];
}

export type Comparison =
  | { tool: string; ours: Side; peer: Side; /** Median of ours / median of the peer's: below 1, ours is faster. */ ratio: number }
  | { tool: string; notMeasured: string };

export interface PeersBench {
  /** `verify step3` on steps/step3 against learnyounode's verify of HTTP FILE SERVER. */
  verify: Comparison;
  /** The runner's spawn to first slide against reveal-md's spawn to the seed deck served. */
  launch: Comparison;
}

function installedVersion(peer: Peer): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(peersDir, 'node_modules', peer, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}

/** Why npm failed, in a few words: its first message line that is not a code or a log path. */
function npmReason(exit: Exit, log: string[]): string {
  if (exit.error) return `npm could not be started (${exit.error})`;
  const lines = log.map((l) => l.replace(/^npm (error|ERR!)\s*/, '').replace(/^FetchError:\s*/, '').trim()).filter(Boolean);
  const message = lines.find((l) => !/^(code|errno|syscall)\b|complete log|^A complete/i.test(l)) ?? `exit ${exit.code ?? exit.signal}`;
  return `npm: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`;
}

/**
 * Installs the pinned peers into peersDir unless they are there already.
 * Returns, for each peer still missing after, the reason, as one sentence.
 */
async function ensurePeers(): Promise<Partial<Record<Peer, string>>> {
  const peers = Object.keys(peerVersions) as Peer[];
  const missing = peers.filter((p) => installedVersion(p) !== peerVersions[p]);
  if (!missing.length) return {};
  const specs = missing.map((p) => `${p}@${peerVersions[p]}`).join(' and ');
  process.stderr.write(`bench: installing ${specs} into ${shown(peersDir)}/ (once: later runs reuse it)…\n`);
  await mkdir(peersDir, { recursive: true });
  // A package.json of its own rather than `--no-save`: npm prunes what no
  // package.json lists, so installing one peer would remove the other. No
  // "type": the learnyounode solution written here is CommonJS.
  const pkg = { name: 'bench-peers', private: true, description: 'Peer tools for npm run bench; see bench/peers.ts.', dependencies: peerVersions };
  await writeFile(join(peersDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // No install scripts: none of the peers' packages needs one. npm's cache
  // first, and one quick retry, so being offline costs seconds, not a minute.
  const args = ['install', '--prefix', peersDir, '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'];
  args.push('--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000');
  const npm = startChild('npm', args, { cwd: peersDir, keepLines: 400 });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void npm.stop();
  }, 5 * 60_000);
  const exit = await npm.exited;
  clearTimeout(timer);
  const reasons: Partial<Record<Peer, string>> = {};
  const why = timedOut ? 'npm install did not finish within 5 minutes' : npmReason(exit, npm.log);
  for (const p of peers) {
    if (installedVersion(p) !== peerVersions[p]) reasons[p] = `could not install ${p}@${peerVersions[p]} into ${shown(peersDir)}/ (${why}).`;
  }
  if (Object.keys(reasons).length) process.stderr.write(`bench: the install failed (${why}); those peers are not measured.\n`);
  return reasons;
}

/** Ours then the peer's, `runs` times, after one unmeasured pair (disk cache, the runner's build, the peer's first load). */
async function interleaved(
  runs: number,
  ours: (warmUp: boolean) => Promise<number>,
  peer: () => Promise<number>,
): Promise<{ ours: Side; peer: Side; ratio: number }> {
  await ours(true);
  await peer();
  const o: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < runs; i++) {
    o.push(Math.round(await ours(false)));
    p.push(Math.round(await peer()));
  }
  const oursSide = { ...summarize(o), times: o };
  const peerSide = { ...summarize(p), times: p };
  return { ours: oursSide, peer: peerSide, ratio: Math.round((oursSide.median / peerSide.median) * 1000) / 1000 };
}

// learnyounode ---------------------------------------------------------------

const lynDir = join(peersDir, 'learnyounode');
const lynBin = join(peersDir, 'node_modules', 'learnyounode', 'bin', 'learnyounode');
const exercise = 'HTTP FILE SERVER';
/** The exercise's standard solution, as a learner would submit it. */
const solution = `const http = require('http')
const fs = require('fs')
const server = http.createServer(function (req, res) {
  res.writeHead(200, { 'content-type': 'text/plain' })
  fs.createReadStream(process.argv[3]).pipe(res)
})
server.listen(Number(process.argv[2]))
`;

/** One learnyounode command as a node program, in its own process group (its verify starts two servers). */
async function learnyounode(args: string[]): Promise<{ ms: number; exit: Exit; output: string }> {
  const started = performance.now();
  const child = startChild(process.execPath, [lynBin, ...args], { cwd: lynDir, env: peerEnv(), keepLines: 2000 });
  const exit = await child.exited;
  const ms = performance.now() - started;
  return { ms, exit, output: child.log.join('\n').replace(/\x1b\[[0-9;]*m/g, '') };
}

async function compareVerify(runs: number): Promise<{ ours: Side; peer: Side; ratio: number }> {
  await mkdir(lynDir, { recursive: true });
  const file = join(lynDir, 'http-file-server.js');
  await writeFile(file, solution);
  // Its verify checks whichever exercise is selected, kept in its home.
  const select = await learnyounode(['select', exercise]);
  if (select.exit.code !== 0) throw new Error(`bench: learnyounode select "${exercise}" exited ${JSON.stringify(select.exit)}:\n${select.output}`);
  const step3 = resolve(repoRoot, 'steps', 'step3');
  return interleaved(
    runs,
    () => verifyOnce('step3', step3),
    async () => {
      for (let attempt = 1; ; attempt++) {
        const r = await learnyounode(['verify', file]);
        if (r.exit.code === 0 && r.output.includes(`Your solution to ${exercise} passed`)) return r.ms;
        // It queries the submission a fixed 500 ms after starting it: on a
        // loaded machine the submission may not listen yet. That run timed a
        // failure, so it is dropped and run again; any other failure, or a
        // third of these, means we measure the wrong thing.
        const notYetListening = /Error connecting to \S+: connect ECONNREFUSED/.test(r.output.replace(/\s+/g, ' '));
        if (!notYetListening || attempt === 3) {
          throw new Error(`bench: learnyounode verify did not pass (${JSON.stringify(r.exit)}):\n${r.output}`);
        }
        process.stderr.write(`bench: learnyounode's verify found its submission not yet listening after its fixed 500 ms; running it again.\n`);
      }
    },
  );
}

// reveal-md ------------------------------------------------------------------

const revealBin = join(peersDir, 'node_modules', 'reveal-md', 'bin', 'reveal-md.js');
/** The seed deck this workshop's step 3 grew from, kept in the repository as a test fixture. */
const seedFile = join(repoRoot, 'test', 'fixtures', 'seed-deck.md');

/** The seed deck, and the text of its first slide (reveal-md's separator: a line of ---). */
function seedDeck(): { file: string; firstSlide: string } {
  const file = seedFile;
  const first = readFileSync(file, 'utf8').split(/\r?\n---\r?\n/)[0] ?? '';
  const firstSlide = first.split(/\r?\n/).map((l) => l.replace(/^#+\s*/, '').trim()).find(Boolean);
  if (!firstSlide) throw new Error(`bench: the seed deck ${file} has an empty first slide`);
  return { file, firstSlide };
}

/** Spawn to the deck's page answering 200 with its first slide; reveal-md's whole group is stopped before this resolves. */
async function revealMdOnce(deck: { file: string; firstSlide: string }): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/${encodeURIComponent(basename(deck.file))}`;
  const started = performance.now();
  // --host only names the URL it prints (it listens on every interface);
  // --disable-auto-open keeps it from opening a browser. Started in the
  // deck's folder, as a speaker would, which is where it looks for reveal-md.json.
  const child = startChild(process.execPath, [revealBin, deck.file, '--port', String(port), '--host', '127.0.0.1', '--disable-auto-open'], {
    cwd: dirname(deck.file),
    env: peerEnv(),
  });
  try {
    let last = 'no answer';
    for (;;) {
      if (child.exit) throw new Error(`bench: reveal-md exited (${JSON.stringify(child.exit)}):\n${child.log.join('\n')}`);
      const page = await fetch(url)
        .then(async (res) => ({ status: res.status, body: await res.text() }))
        .catch(() => undefined);
      // A 200 without the slide's text (a listing, a loading page) is not the deck served.
      if (page?.status === 200 && page.body.includes(deck.firstSlide)) return performance.now() - started;
      if (page) last = `${page.status}, ${page.body.length} bytes without "${deck.firstSlide}"`;
      if (performance.now() - started > 20_000) throw new Error(`bench: reveal-md did not serve ${url} within 20 s (last: ${last}):\n${child.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 5)); // as often as workshop.ts polls our first slide
    }
  } finally {
    await child.stop();
  }
}

async function compareLaunch(runs: number, deck: { file: string; firstSlide: string }): Promise<{ ours: Side; peer: Side; ratio: number }> {
  return withBenchRedis((redisUrl) =>
    interleaved(
      runs,
      // The warm-up start goes on until every deck is rendered, so the
      // measured ones are a learner's usual start (decks kept from the last
      // run); those stop at the first slide, which is all that is timed.
      async (warmUp) => (await workshopStartOnce(redisUrl, { memory: warmUp })).ms,
      () => revealMdOnce(deck),
    ),
  );
}

export async function benchPeers(runs: number, progress: (what: string) => void = () => {}): Promise<PeersBench> {
  const missing = await ensurePeers();
  const lyn = `learnyounode@${peerVersions.learnyounode}`;
  const reveal = `reveal-md@${peerVersions['reveal-md']}`;

  let verify: Comparison;
  if (missing.learnyounode) verify = { tool: lyn, notMeasured: missing.learnyounode };
  else {
    progress(`verify step3 against ${lyn}'s verify, interleaved`);
    verify = { tool: lyn, ...(await compareVerify(runs)) };
  }

  let launch: Comparison;
  const deck = seedDeck();
  if (missing['reveal-md']) launch = { tool: reveal, notMeasured: missing['reveal-md'] };
  else {
    progress(`workshop start against ${reveal} serving the seed deck, interleaved`);
    launch = { tool: reveal, ...(await compareLaunch(runs, deck)) };
  }
  return { verify, launch };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const result = await benchPeers(Number(process.argv[2] ?? 3), (what) => process.stderr.write(`measuring ${what}…\n`));
  console.log(JSON.stringify(result, null, 2));
}
