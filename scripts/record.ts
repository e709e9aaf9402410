// `npm run record`: the terminal transcripts in slides/term/, the
// screenshot in slides/img/ and those of the workshop page in
// docs/screenshots/, made from real runs so the slides and the README show
// what a learner sees today.
//
// What runs for real: `npm install` (from the npm registry, in a temporary
// copy of step 2's package.json), a throwaway `redis-server` (data in a
// temporary directory), the step 3 app, Chromium visiting it three times,
// `redis-cli` reading the session it stored, and the workshop's runner
// (`npm run workshop`) with step 2's app, shown in Chromium. Step 4: two
// copies of its app on that Redis, and each command of its transcripts (curl,
// redis-cli, node, pipes and all) run by bash as it is shown. Step 5: its
// app on that Redis, ada on two devices (curl with a cookie jar and a
// User-Agent each) and grace on a third, seen the same way.
// `npm run record -- --only=step4` (or `--only=step5`) records that step's
// transcripts alone.
//
// What is normalised, so the transcripts show what a learner types:
// - ports: ours are free ones, shown as the defaults 6379 and 3000;
// - command lines: the flags only this script needs are left out
//   (`--port`, `--dir`, `--save ''` for redis-server; `-p`, and `--no-raw`,
//   which makes redis-cli quote its answers as it does in a terminal);
// - `redis-cli MONITOR`, which runs until Ctrl-C, is stopped by `timeout`;
// - curl's header lines end in \r\n: the \r is left out;
// - step 4's commands show what they print on stdout: curl's progress meter,
//   on stderr, shows only when its output is not a terminal, as here. A
//   command that fails and says why on stderr stops the recording.
// Nothing else is edited.
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { repoRoot } from '../test/helpers/repo.ts';
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

/**
 * Runs each command as a learner types it, for real, with bash: our ports for
 * 3000, 3001 and Redis's 6379, and `-p`/`--no-raw` given to redis-cli. The
 * transcript shows the command as typed and what it printed, ports as typed.
 */
function shell(cwd: string, ports: { app: number; second?: number; redis: number }) {
  const shown: Record<number, number> = { [ports.app]: 3000, [ports.redis]: 6379 };
  if (ports.second) shown[ports.second] = 3001;
  const actual = (command: string) =>
    command
      .replace(/127\.0\.0\.1:3000/g, `127.0.0.1:${ports.app}`)
      .replace(/127\.0\.0\.1:3001/g, `127.0.0.1:${ports.second}`)
      .replace(/\bredis-cli /g, `redis-cli -p ${ports.redis} --no-raw `);
  const run = async (command: string, prefix = '') => {
    const result = await execa('bash', ['-c', prefix + actual(command)], { cwd, timeout: 60_000, reject: false });
    if (result.exitCode !== 0 && result.stderr) throw new Error(`${command} failed (${result.exitCode}):\n${result.stderr}`);
    const out = String(result.stdout).replace(/\r/g, '');
    return { command, output: out ? normalisePorts(out, shown).split('\n') : [] };
  };
  return { run, shown };
}

/** The id in a `sess:<id>` line of redis-cli's output. */
const sessionKey = (lines: string[]) => {
  const key = lines.map((l) => /sess:[\w-]+/.exec(l)?.[0]).find(Boolean);
  if (!key) throw new Error(`no session key in:\n${lines.join('\n')}`);
  return key;
};

/** Step 4 seen with curl, redis-cli and node, against two copies of its app on one Redis. */
async function recordStep4(write: Write, redisPort: number): Promise<void> {
  const flush = () => redisCli(redisPort, ['FLUSHALL']);
  const dir = mkdtempSync(join(tmpdir(), 'workshop-step4-'));
  const app = await startStep('step4', redisPort);
  const second = await startStep('step4', redisPort);
  try {
    const { run, shown } = shell(dir, { app: app.port, second: second.port, redis: redisPort });
    const inStep4 = shell(join(stepsDir, 'step4'), { app: app.port, redis: redisPort }).run;
    const save = (name: string, entries: { command: string; output: string[] }[]) => write(name, normalisePorts(transcript(entries), shown));

    save('step4-hash.txt', [await inStep4(`node -e "import('./lib/password.js').then(async m => console.log(await m.hashPassword('lovelace')))"`)]);
    save('step4-scrypt-speed.txt', [
      await run(
        `node -e "const c = require('node:crypto'); const hashes = { sha256: (p) => c.createHash('sha256').update(p).digest(), scrypt: (p) => c.scryptSync(p, 'salt', 32) }; for (const [name, hash] of Object.entries(hashes)) { let n = 0; const end = Date.now() + 1000; while (Date.now() < end) hash('guess' + n++); console.log(name + ':', n, 'guesses in one second'); }"`,
      ),
    ]);

    // A visit, a login with a new id, then a logout.
    await flush();
    const visit = await run(`curl -s -c jar -b jar http://127.0.0.1:3000/ | grep -o 'You have[^.]*'`);
    const before = await run(`redis-cli --scan --pattern 'sess:*'`);
    const login = await run(`curl -i -c jar -b jar -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login`);
    const after = await run(`redis-cli --scan --pattern 'sess:*'`);
    save('step4-login-keys.txt', [
      visit,
      before,
      login,
      after,
      await run(`redis-cli GET ${sessionKey(after.output)}`),
      await run(`redis-cli GET login:failures:ada`),
      await run(`curl -s -c jar -b jar http://127.0.0.1:3000/ | grep -o 'You have[^.]*\\|Logged in as [a-z]*'`),
    ]);
    save('step4-logout-keys.txt', [
      await run(`cp jar old-jar`),
      await run(`curl -i -c jar -b jar -X POST http://127.0.0.1:3000/logout`),
      await run(`redis-cli --scan --pattern 'sess:*'`),
      await run(`curl -i -b old-jar http://127.0.0.1:3000/account`),
    ]);

    // What Redis runs for one login: MONITOR in one terminal, the login in another.
    await flush();
    await run(`curl -s -o /dev/null -c jar2 -b jar2 http://127.0.0.1:3000/`);
    const monitorCommand = `redis-cli MONITOR | cut -c 19-90`;
    const monitor = run(monitorCommand, 'timeout 3 ');
    for (let waited = 0; !(await redisCli(redisPort, ['CLIENT', 'LIST'])).some((l) => l.includes('cmd=monitor')); waited += 50) {
      if (waited > 5000) throw new Error('redis-cli MONITOR did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    await run(`curl -s -o /dev/null -c jar2 -b jar2 -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login`);
    save('step4-monitor.txt', [await monitor]);

    await flush();
    const alert = `grep -o '^HTTP.*\\|role="alert">.*</p>'`;
    save('step4-one-sentence.txt', [
      await run(`curl -si -d 'username=ada&password=wrong' http://127.0.0.1:3000/login | ${alert}`),
      await run(`curl -si -d 'username=bob&password=lovelace' http://127.0.0.1:3000/login | ${alert}`),
      await run(`redis-cli --scan --pattern 'login:failures:*'`),
    ]);

    await flush();
    save('step4-failures.txt', [
      await run(`for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{http_code}\\n' -d 'username=ada&password=wrong' http://127.0.0.1:3000/login; done`),
      await run(`curl -si -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login | grep -i '^HTTP\\|^Retry-After'`),
      await run(`redis-cli GET login:failures:ada`),
      await run(`redis-cli TTL login:failures:ada`),
      await run(`curl -si -d 'username=ada&password=lovelace' http://127.0.0.1:3001/login | grep -i '^HTTP\\|^Retry-After'`),
      await run(`redis-cli GET login:failures:ada`),
    ]);

    // What the form sent: each answered 400, and nothing counted.
    await flush();
    const status = `curl -s -o /dev/null -w '%{http_code}\\n'`;
    save('step4-bad-input.txt', [
      await run(`${status} -X POST http://127.0.0.1:3000/login`),
      await run(`${status} -H 'Content-Type: application/json' -d '{"username":"ada","password":"lovelace"}' http://127.0.0.1:3000/login`),
      await run(`${status} -d 'username=ada&username=bob&password=lovelace' http://127.0.0.1:3000/login`),
      await run(`${status} -d "username=$(printf 'a%.0s' {1..101})&password=lovelace" http://127.0.0.1:3000/login`),
      await run(`redis-cli --scan --pattern 'login:failures:*'`),
    ]);

    // Another site's form, as a browser sends it: refused before anything is read.
    await flush();
    save('step4-cross-site.txt', [
      await run(`curl -si -H 'Origin: http://example.com' -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login | grep -o '^HTTP.*\\|<p>[^<]*</p>'`),
      await run(`redis-cli EXISTS login:failures:ada`),
      await run(`${status} -H 'Sec-Fetch-Site: cross-site' -X POST http://127.0.0.1:3000/logout`),
      await run(`${status} -H 'Origin: http://127.0.0.1:3000' -H 'Sec-Fetch-Site: same-origin' -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login`),
    ]);

    // Secure when the request came through an HTTPS proxy on this machine.
    await flush();
    save('step4-secure.txt', [
      await run(`curl -si -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login | grep -i '^Set-Cookie'`),
      await run(`curl -si -H 'X-Forwarded-Proto: https' -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login | grep -i '^Set-Cookie'`),
    ]);

    // A body the parser refuses: its status, and one sentence.
    save('step4-error-page.txt', [
      await run(`curl -si -H 'Content-Type: application/x-www-form-urlencoded; charset=koi8-r' -d 'username=ada' http://127.0.0.1:3000/login | grep -o '^HTTP.*\\|<p>[^<]*</p>'`),
    ]);
  } finally {
    await app.process.stop();
    await second.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The values of a redis-cli --no-raw reply: `1) "a"` or `"a"` gives `a`. */
const replyValues = (lines: string[]) => lines.map((l) => /^(?:\d+\) )?"(.*)"$/.exec(l)?.[1]).filter((v): v is string => v !== undefined);

/**
 * Step 5 seen with curl and redis-cli: ada logs in on a laptop and a phone
 * (a cookie jar and a User-Agent each), her index in Redis, a revoke, grace
 * trying one of ada's handles, and a session that ended without the app.
 */
async function recordStep5(write: Write, redisPort: number): Promise<void> {
  const flush = () => redisCli(redisPort, ['FLUSHALL']);
  const dir = mkdtempSync(join(tmpdir(), 'workshop-step5-'));
  const app = await startStep('step5', redisPort);
  try {
    const { run, shown } = shell(dir, { app: app.port, redis: redisPort });
    const inStep5 = shell(join(stepsDir, 'step5'), { app: app.port, redis: redisPort }).run;
    const save = (name: string, entries: { command: string; output: string[] }[]) => write(name, normalisePorts(transcript(entries), shown));
    const login = (jar: string, agent: string, user = 'ada', password = 'lovelace') =>
      run(`curl -s -o /dev/null -c ${jar} -A '${agent}' -d 'username=${user}&password=${password}' http://127.0.0.1:3000/login`);
    const laptop = 'Firefox/133.0 (Linux laptop)';
    const phone = 'Safari/18.1 (iPhone)';
    const status = `grep -i '^HTTP\\|^Location'`;
    /** Which session id the index gives to each handle, read from Redis (not shown). */
    const index = async () => {
      const values = replyValues(await redisCli(redisPort, ['--no-raw', 'HGETALL', 'devices:ada']));
      return new Map(values.flatMap((v, i) => (i % 2 === 0 ? [[v, values[i + 1]!] as const] : [])));
    };
    /** The session id in a cookie jar (curl's file: the value is the 7th field). */
    const sidIn = async (jar: string) => {
      const { stdout } = await execa('bash', ['-c', `grep connect.sid ${jar} | cut -f 7`], { cwd: dir });
      const id = /^s%3A([^.]+)\./.exec(stdout.trim())?.[1];
      if (!id) throw new Error(`no session cookie in ${jar}: ${stdout}`);
      return id;
    };

    // The id is the login: signed with the app's secret, it opens ada's account anywhere.
    await flush();
    const idLogin = await login('laptop', laptop);
    const scan = await run(`redis-cli --scan --pattern 'sess:*'`);
    const id = sessionKey(scan.output).slice('sess:'.length);
    const sign = await inStep5(`node -e "console.log(require('cookie-signature').sign('${id}', 'keyboard cat'))"`);
    const signed = sign.output[0]!;
    save('step5-id-is-login.txt', [
      idLogin,
      scan,
      sign,
      await run(`curl -s -b 'connect.sid=s:${signed}' http://127.0.0.1:3000/account | grep -o 'logged in as [a-z]*'`),
    ]);

    // Ada on two devices: her index, and how long it lives beside a session.
    await flush();
    const first = await login('laptop', laptop);
    const second = await login('phone', phone);
    const laptopSid = await sidIn('laptop');
    const phoneSid = await sidIn('phone');
    save('step5-index.txt', [
      first,
      second,
      await run(`redis-cli HGETALL devices:ada`),
      await run(`redis-cli TTL devices:ada`),
      await run(`redis-cli TTL sess:${laptopSid}`),
    ]);

    // The laptop logs the phone out.
    const handles = await index();
    const handleOf = (sid: string) => [...handles].find(([, s]) => s === sid)?.[0] ?? '';
    const phoneHandle = handleOf(phoneSid);
    const laptopHandle = handleOf(laptopSid);
    if (!phoneHandle || !laptopHandle) throw new Error(`the index does not name both devices: ${JSON.stringify([...handles])}`);
    save('step5-revoke.txt', [
      await run(`curl -s -b laptop http://127.0.0.1:3000/account | grep -o 'action="/sessions/[^"]*"'`),
      await run(`curl -si -b laptop -X POST http://127.0.0.1:3000/sessions/${phoneHandle}/revoke | ${status}`),
      await run(`redis-cli EXISTS sess:${phoneSid}`),
      await run(`redis-cli HGETALL devices:ada`),
      await run(`curl -si -b phone http://127.0.0.1:3000/account | ${status}`),
    ]);

    // Grace, logged in, sends the handle of ada's laptop.
    save('step5-not-yours.txt', [
      await login('grace', 'Chrome/131.0 (grace)', 'grace', 'hopper'),
      await run(`curl -si -b grace -X POST http://127.0.0.1:3000/sessions/${laptopHandle}/revoke | grep -o '^HTTP.*\\|<p>[^<]*</p>'`),
      await run(`redis-cli HLEN devices:ada`),
    ]);

    // The phone logs in again; its session then ends without the app (as if it expired),
    // and the laptop's account page drops it, seen by MONITOR.
    await login('phone', phone);
    const endedSid = await sidIn('phone');
    const del = await run(`redis-cli DEL sess:${endedSid}`);
    const before = await run(`redis-cli HLEN devices:ada`);
    const monitor = run(`redis-cli MONITOR | cut -c 19-`, 'timeout 3 ');
    for (let waited = 0; !(await redisCli(redisPort, ['CLIENT', 'LIST'])).some((l) => l.includes('cmd=monitor')); waited += 50) {
      if (waited > 5000) throw new Error('redis-cli MONITOR did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    await run(`curl -s -o /dev/null -b laptop http://127.0.0.1:3000/account`);
    save('step5-ended.txt', [del, before, await monitor, await run(`redis-cli HLEN devices:ada`)]);
  } finally {
    await app.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const skipNpm = argv.includes('--skip-npm');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined && only !== 'step4' && only !== 'step5') throw new Error(`--only takes step4 or step5, not ${only}`);
  const termDir = join(slidesDir, 'term');
  const imgDir = join(slidesDir, 'img');
  mkdirSync(termDir, { recursive: true });
  mkdirSync(imgDir, { recursive: true });
  const write = (name: string, text: string) => {
    writeFileSync(join(termDir, name), text);
    console.log(`wrote slides/term/${name}`);
  };

  if (only) {
    const dataDir = mkdtempSync(join(tmpdir(), 'workshop-record-redis-'));
    try {
      const redis = await startRedis(dataDir);
      await (only === 'step4' ? recordStep4 : recordStep5)(write, redis.port);
      await redis.process.stop();
    } finally {
      await stopAll();
      rmSync(dataDir, { recursive: true, force: true });
    }
    return 0;
  }

  if (!skipNpm) write('npm-install.txt', await recordNpmInstall());

  await recordStep1(write);
  await recordStep2(write);

  const dataDir = mkdtempSync(join(tmpdir(), 'workshop-record-redis-'));
  try {
    const redis = await startRedis(dataDir);
    const ports: Record<number, number> = { [redis.port]: 6379 };
    write('start-redis.txt', normalisePorts(transcript([{ command: 'redis-server', output: redis.lines }]), ports));
    write('redis-ping.txt', transcript([{ command: 'redis-cli ping', output: await redisCli(redis.port, ['ping']) }]));
    // Steps 4 and 5 first, so step 3's app then finds an empty Redis, as its transcript shows.
    await recordStep4(write, redis.port);
    await redisCli(redis.port, ['FLUSHALL']);
    await recordStep5(write, redis.port);
    await redisCli(redis.port, ['FLUSHALL']);

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
