// `npm run record`: the terminal transcripts in slides/term/, the
// screenshot in slides/img/ and those of the workshop page in
// docs/screenshots/, made from real runs so the slides and the README show
// what a learner sees today.
//
// What runs for real: `npm install` (from the npm registry, in a temporary
// copy of step 2's package.json), a throwaway `redis-server` (data in a
// temporary directory), the step 3 app, Chromium visiting it three times,
// `redis-cli` reading the session it stored, and the workshop's runner
// (`npm run workshop`) with step 2's app, shown in Chromium.
//
// What is normalised, so the transcripts show what a learner types:
// - ports: ours are free ones, shown as the defaults 6379 and 3000;
// - command lines: the flags only this script needs are left out
//   (`--port`, `--dir`, `--save ''` for redis-server; `-p`, and `--no-raw`,
//   which makes redis-cli quote its answers as it does in a terminal).
// Nothing else is edited.
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { repoRoot } from '../runner/paths.ts';
import { workshop } from '../runner/steps.ts';

// This workshop's recordings: its step apps and slides folder.
const stepsDir = join(repoRoot, 'steps');
const slidesDir = workshop().slides;
import { freePort } from '../runner/process/ports.ts';
import { startChild, stopAll, untilListening, type Child } from '../runner/process/child.ts';

export interface Running {
  process: Child;
  port: number;
  /** Output lines up to the moment it was ready. */
  lines: string[];
}

/** Starts `command` and resolves once a line matches `ready` (or fails with its output). */
function startUntil(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, ready: RegExp, port: number): Promise<Running> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let done = false;
    const process = startChild(command, args, {
      cwd,
      env,
      onLine(line) {
        if (done) return;
        lines.push(line);
        if (ready.test(line)) {
          done = true;
          resolve({ process, port, lines });
        }
      },
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      void process.stop();
      reject(new Error(`${command} was not ready within 15 s:\n${lines.join('\n')}`));
    }, 15_000);
    void process.exited.then((exit) => {
      clearTimeout(timer);
      if (done) return;
      done = true;
      reject(new Error(`${command} exited (${exit.error ?? exit.code ?? exit.signal}):\n${lines.join('\n')}`));
    });
  });
}

/** A throwaway redis-server on a free port, its data in `dataDir`. */
export async function startRedis(dataDir: string): Promise<Running> {
  const port = await freePort();
  const running = await startUntil(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', 'no'],
    dataDir,
    { ...process.env },
    /Ready to accept connections/,
    port,
  );
  return running;
}

/** A step's app, for real; from step 3 on, against the given Redis. */
export async function startStep(name: string, redisPort?: number): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  if (redisPort) env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
  delete env.SESSION_SECRET; // show the warning a learner sees on a first run
  delete env.COOKIE_SECRET;
  const running = await startUntil('node', ['app.js'], join(stepsDir, name), env, /Listening on/, port);
  if ((await untilListening(running.process, port, { timeoutMs: 5000 })).state !== 'listening') throw new Error(`the ${name} app does not listen`);
  return running;
}

export const startStep3 = (redisPort: number) => startStep('step3', redisPort);

/** Replaces our ports with the defaults a learner uses. */
export function normalisePorts(text: string, ports: Record<number, number>): string {
  let out = text;
  for (const [ours, theirs] of Object.entries(ports)) out = out.replace(new RegExp(`\\b${ours}\\b`, 'g'), String(theirs));
  return out;
}

/** A transcript: each command after `$ `, then what it printed. */
export function transcript(entries: { command: string; output: string[] }[]): string {
  return entries.map((e) => [`$ ${e.command}`, ...e.output].join('\n')).join('\n') + '\n';
}

async function redisCli(port: number, args: string[]): Promise<string[]> {
  const { stdout } = await execa('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 });
  return stdout.split('\n');
}

async function recordNpmInstall(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'workshop-npm-'));
  try {
    copyFileSync(join(stepsDir, 'step2', 'package.json'), join(dir, 'package.json'));
    const args = ['install', 'connect-redis', 'express-session', 'redis'];
    const result = await execa('npm', args, { cwd: dir, timeout: 180_000, all: true, reject: false, env: { ...process.env, NO_COLOR: '1' } });
    if (result.exitCode !== 0) throw new Error(`npm install failed:\n${result.all}`);
    const output = String(result.all ?? '').split('\n');
    return transcript([{ command: `npm ${args.join(' ')}`, output }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Write = (name: string, text: string) => void;

async function recordStep1(write: Write): Promise<void> {
  const app = await startStep('step1');
  try {
    write('start-step1-app.txt', normalisePorts(transcript([{ command: 'node app.js', output: app.lines }]), { [app.port]: 3000 }));
  } finally {
    await app.process.stop();
  }
}

/** Step 2 seen with curl: the signed cookie set, then sent back. */
async function recordStep2(write: Write): Promise<void> {
  const app = await startStep('step2');
  const dir = mkdtempSync(join(tmpdir(), 'workshop-curl-'));
  try {
    const url = `http://127.0.0.1:${app.port}/`;
    const curl = async (args: string[]) =>
      (await execa('curl', [...args, url], { cwd: dir, timeout: 10_000 })).stdout.replace(/\r/g, '').split('\n');
    const first = ['-si', '-c', 'cookies.txt'];
    const again = ['-s', '-b', 'cookies.txt'];
    write(
      'step2-curl.txt',
      normalisePorts(
        transcript([
          { command: `curl ${first.join(' ')} ${url}`, output: await curl(first) },
          { command: `curl ${again.join(' ')} ${url}`, output: await curl(again) },
        ]),
        { [app.port]: 3000 },
      ),
    );
  } finally {
    await app.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const skipNpm = argv.includes('--skip-npm');
  const termDir = join(slidesDir, 'term');
  const imgDir = join(slidesDir, 'img');
  mkdirSync(termDir, { recursive: true });
  mkdirSync(imgDir, { recursive: true });
  const write = (name: string, text: string) => {
    writeFileSync(join(termDir, name), text);
    console.log(`wrote slides/term/${name}`);
  };

  if (!skipNpm) write('npm-install.txt', await recordNpmInstall());

  await recordStep1(write);
  await recordStep2(write);

  const dataDir = mkdtempSync(join(tmpdir(), 'workshop-record-redis-'));
  try {
    const redis = await startRedis(dataDir);
    const ports: Record<number, number> = { [redis.port]: 6379 };
    write('start-redis.txt', normalisePorts(transcript([{ command: 'redis-server', output: redis.lines }]), ports));
    write('redis-ping.txt', transcript([{ command: 'redis-cli ping', output: await redisCli(redis.port, ['ping']) }]));

    const app = await startStep3(redis.port);
    ports[app.port] = 3000;
    write('start-express-app.txt', normalisePorts(transcript([{ command: 'node app.js', output: app.lines }]), ports));

    // A learner's browser visits the page three times.
    const { screenshotPage, screenshotVisits } = await import('./screenshot.ts');
    const out = join(imgDir, 'session-visits.png');
    await screenshotVisits(`http://127.0.0.1:${app.port}/`, out, 3);
    console.log('wrote slides/img/session-visits.png');

    const keys = (await redisCli(redis.port, ['--scan', '--pattern', 'sess:*'])).filter(Boolean);
    if (keys.length !== 1) throw new Error(`expected one session in Redis, found ${keys.length}`);
    const key = keys[0]!;
    write(
      'redis-keys-sessions.txt',
      normalisePorts(
        transcript([
          { command: `redis-cli --scan --pattern 'sess:*'`, output: keys },
          { command: `redis-cli GET ${key}`, output: await redisCli(redis.port, ['--no-raw', 'GET', key]) },
          { command: `redis-cli TTL ${key}`, output: await redisCli(redis.port, ['--no-raw', 'TTL', key]) },
        ]),
        ports,
      ),
    );
    // After the transcript of the one session: the runner's apps share this Redis.
    for (const file of await screenshotPage(`redis://127.0.0.1:${redis.port}`)) console.log(`wrote ${relative(repoRoot, file)}`);
    await app.process.stop();
    await redis.process.stop();
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
