// Every row of every "When it doesn't work" table is true: a fixture app
// makes the row's mistake, the learner's view of it (terminal, page,
// redis-cli) shows what the row's "You see" says, and the row's fix makes
// the app pass `npm run verify` for the deck's step. A row without a case
// here fails the suite.
// Real parts only: a throwaway redis-server, the apps as child processes,
// the real redis-cli and the real verify CLI.
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChild } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { visitor, type RunningApp } from './helpers/app.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { repo, runCli } from './helpers/verify-cli.ts';
import { fixtureApps } from './fixture-apps.ts';

const fixtures = fileURLToPath(new URL('./fixtures/troubleshooting/', import.meta.url));
const slidesDir = join(repo, 'slides');

interface Row {
  deck: string;
  cells: string[];
}

/** The rows of each deck's "When it doesn't work" table: You see, Because, Fix. */
async function troubleshootingRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const file of (await readdir(slidesDir)).filter((f) => f.endsWith('.md'))) {
    const text = await readFile(join(slidesDir, file), 'utf8');
    for (const slide of text.split(/^---\s*$/m)) {
      if (!/^##\s+When it doesn't work\s*$/m.test(slide)) continue;
      const lines = slide.split('\n').filter((l) => l.startsWith('|'));
      for (const line of lines.slice(2)) {
        const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
        rows.push({ deck: file, cells });
      }
    }
  }
  return rows;
}

/** What "You see" quotes: `code` and "quoted" text, each of which the learner must really see. */
function quoted(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`|"([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
}

let redis: ThrowawayRedis;
// As a learner runs it: not under vitest's NODE_ENV=test, which silences Express's error log.
const appEnv = () => ({ REDIS_URL: redis.url, SESSION_SECRET: 'troubleshooting', NODE_ENV: 'development' });
const apps = fixtureApps(appEnv);
const { start, stop } = apps;
type Step = 'step3' | 'step4' | 'step5';
/** steps/<step> in a temporary folder, with the fixture's files (the mistake) over it. */
const fixtureApp = (name: string, step: Step) => apps.stepWith(step, join(fixtures, name));

beforeAll(async () => {
  redis = await throwawayRedis();
});
afterAll(async () => {
  await apps.dispose();
  await redis?.dispose();
});
beforeEach(async () => {
  await redis.client.flushAll();
});

/** Runs an app that should not get as far as listening; its output once it has exited. */
async function crash(dir: string): Promise<string> {
  const child = startChild(process.execPath, ['app.js'], { cwd: dir, env: { ...process.env, ...appEnv(), PORT: String(await freePort()) } });
  const timer = setTimeout(() => void child.stop(), 10_000);
  const exit = await child.exited;
  clearTimeout(timer);
  expect(exit.code, 'the app should have crashed').not.toBe(0);
  return child.log.join('\n');
}

/** The app's terminal, once it shows `text` (output can trail the response a little). */
async function terminal(app: RunningApp, text: string): Promise<string> {
  for (let waited = 0; waited < 3000 && !app.process.log.join('\n').includes(text); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return app.process.log.join('\n');
}

const exec = promisify(execFile);
/**
 * What `redis-cli <args>` answers: Redis's answer only, never the command line,
 * so a row's quote is matched against what Redis said, not against what was typed.
 */
async function redisCli(...args: string[]): Promise<string> {
  const { stdout } = await exec('redis-cli', ['-p', String(redis.port), ...args], { timeout: 5000 });
  return stdout;
}

/** A request by a new visitor, its answer read to the end (fetch resolves on the headers): the status. */
async function fetchedStatus(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

const visitsOf = (body: string) => /You have visited this page (\d+) time/.exec(body)?.[1];

// Step 4: a visitor logs in with the form, as a browser (or `curl -c jar -b jar -d …`) does.
type Browser = ReturnType<typeof visitor>;
const ADA = { username: 'ada', password: 'lovelace' };
const WRONG = { username: 'ada', password: 'wrong' };

/**
 * A POST of a form (`-d 'username=ada&password=…'`), with the visitor's cookies and
 * `headers`; `form: null` posts no body at all (`curl -X POST`).
 */
async function post(browser: Browser, url: string, form: Record<string, string> | null = {}, headers: Record<string, string> = {}, withCookies = true) {
  const cookie = withCookies ? await browser.jar.getCookieString(url) : '';
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(cookie ? { cookie } : {}), ...headers },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    redirect: 'manual',
  });
  // Whatever the answer sets, the browser keeps.
  for (const header of res.headers.getSetCookie()) await browser.jar.setCookie(header, url);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/**
 * A form on another site's page, posted to us by the visitor's browser: it says where it comes
 * from, and leaves our SameSite=Lax cookie home; what the answer sets, it still stores.
 */
const crossSite = (browser: Browser, url: string, form: Record<string, string> = {}) =>
  post(browser, url, form, { origin: 'http://example.com', 'sec-fetch-site': 'cross-site' }, false);

/** The value of the visitor's `name` cookie, as its jar holds it. */
async function cookieValue(browser: Browser, url: string, name = 'connect.sid'): Promise<string | undefined> {
  return (await browser.jar.getCookies(url)).find((c) => c.key === name)?.value;
}

/** `redis-cli --scan --pattern <pattern>`, and the keys it lists. */
async function scan(pattern: string): Promise<{ out: string; keys: string[] }> {
  const out = await redisCli('--scan', '--pattern', pattern);
  return { out, keys: out.split('\n').filter(Boolean) };
}

/** A visit to /, then ada logs in: the learner's browser, logged in. */
async function loggedInAda(app: RunningApp): Promise<Browser> {
  const browser = visitor();
  await browser.get(`${app.url}/`);
  expect((await post(browser, `${app.url}/login`, ADA)).status, 'ada logs in').toBe(303);
  return browser;
}

/** `times` wrong passwords for ada, each as a new visitor (the deck's `for i in 1 2 3 4 5; do curl -d …`): their statuses. */
async function wrongPasswords(app: RunningApp, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await post(visitor(), `${app.url}/login`, WRONG)).status);
  return statuses;
}

// Step 5: ada on several devices, each a browser with its own cookie jar and User-Agent.
interface Device {
  browser: Browser;
  agent: string;
}
const agentOf = (d: Device) => ({ 'user-agent': d.agent });

/** A new device that logs in (ada unless said), as `curl -c jar -A agent -d …` does. */
async function onDevice(app: RunningApp, agent: string, as = ADA): Promise<Device> {
  const d = { browser: visitor(), agent };
  expect((await post(d.browser, `${app.url}/login`, as, agentOf(d))).status, `${agent} logs in`).toBe(303);
  return d;
}
const open = (app: RunningApp, d: Device, path: string) => d.browser.get(`${app.url}${path}`, agentOf(d));
const postFrom = (app: RunningApp, d: Device, path: string) => post(d.browser, `${app.url}${path}`, {}, agentOf(d));

/** The account page's revoke forms: the User-Agent of each entry → its form's action. */
function revokeForms(page: string): Map<string, string> {
  const forms = new Map<string, string>();
  for (const [, entry] of page.matchAll(/<li>([\s\S]*?)<\/li>/g)) {
    const agent = /<strong>([^<]*)<\/strong>/.exec(entry!)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(entry!)?.[1];
    if (agent !== undefined && action !== undefined) forms.set(agent, action);
  }
  return forms;
}

/** Whether `d` is logged in: /account shows the page, not a redirect to /login. */
async function loggedInOn(app: RunningApp, d: Device): Promise<boolean> {
  const page = await open(app, d, '/account');
  return page.status === 200 && page.body.includes('You are logged in as');
}

// The solution's code, that a fix puts back.
const take = `    const wait = await attempts.take(username);
    if (wait) {
      res.set('Retry-After', String(wait));
      return res.status(429).render('login', { title: 'Log in', username, error: 'Too many failed attempts. Try again later.' });
    }
`;
const destroyAndClear = `    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(cookieName, { httpOnly: true, sameSite: 'lax', secure: req.secure });
      res.redirect(303, '/');
    });
`;
const formParser = 'app.use(express.urlencoded({ extended: false }));\n';
/** The solution's check of the form: two strings, or 400. */
const readForm = `    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return res.status(400).render('login', { title: 'Log in', error: 'Enter a name and a password.' });
    }
`;
/** The solution's count: INCR, and the expiry when the key has none, in one script. */
const countScript = `const COUNT_ATTEMPT = \`
local attempts = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { attempts, ttl }
\`;

`;
const scriptedTake = `    async take(name) {
      const [attempts, ttl] = await redis.eval(COUNT_ATTEMPT, { keys: [key(name)], arguments: [String(WINDOW_SECONDS)] });
      return attempts <= MAX_FAILURES ? 0 : Math.max(1, ttl);
    },
`;

type Fix = [from: string, to: string][];

/** Applies a fix to one of the app's files: each `from` must be there exactly once. */
async function applyFix(dir: string, fix: Fix, fixIn = 'app.js'): Promise<void> {
  const file = join(dir, fixIn);
  let text = await readFile(file, 'utf8');
  for (const [from, to] of fix) {
    expect(text.split(from).length - 1, `"${from}" once in the fixture`).toBe(1);
    text = text.replace(from, to);
  }
  await writeFile(file, text);
}

async function expectVerifyPasses(dir: string, step: Step): Promise<void> {
  const { code, stdout, stderr } = await runCli([step, '--dir', dir]);
  expect(stdout, stderr).toMatch(/^\d+ passed, 0 failed$/m);
  expect(code).toBe(0);
}

interface Mistake {
  fixture: string;
  /** Does what the learner does, and gives back what they see. */
  see(dir: string): Promise<string>;
  /** The row's fix, as text replacements in `fixIn` (app.js unless said). */
  fix: Fix;
  fixIn?: string;
  /** The rest of the fix, when it takes more than one file: file → replacements. */
  alsoFix?: Record<string, Fix>;
  /** After the fix, the mistake's effect is gone (beyond passing verify). */
  fixed?(dir: string): Promise<void>;
}

interface Case {
  /** Words of the row's "You see" cell that name it. */
  row: string;
  /** The step the fixtures copy, and whose verify must pass after the fix: step3 unless said. */
  step?: Step;
  mistakes: Mistake[];
}

const cases: Case[] = [
  {
    row: 'is not a function',
    mistakes: [
      {
        fixture: 'old-api-require',
        see: crash,
        fix: [["const RedisStore = require('connect-redis')(session);", "const { RedisStore } = require('connect-redis');"]],
      },
      {
        fixture: 'old-api-default-import',
        see: crash,
        fix: [["import RedisStore from 'connect-redis';", "import { RedisStore } from 'connect-redis';"]],
      },
    ],
  },
  {
    row: 'The client is closed',
    mistakes: [
      {
        fixture: 'client-not-connected',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          const first = await browser.get(`${app.url}/`);
          expect(first.status, 'the first visit works').toBe(200);
          expect(visitsOf(first.body)).toBe('1');
          const next = await browser.get(`${app.url}/`);
          expect(next.status, 'the next one fails').toBe(500);
          return `${next.body}\n${await terminal(app, 'ClientClosedError')}`;
        },
        fix: [['// (no await redisClient.connect())', 'await redisClient.connect();']],
      },
    ],
  },
  {
    row: 'The count stays at 1',
    mistakes: [
      {
        fixture: 'secure-cookie',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          for (let i = 0; i < 3; i++) {
            const page = await browser.get(`${app.url}/`);
            expect(visitsOf(page.body), 'the count stays at 1').toBe('1');
            expect(page.headers.getSetCookie().join('\n'), 'no session cookie reaches the browser').not.toContain('connect.sid=');
          }
          const scan = await redisCli('--scan', '--pattern', 'sess:*');
          expect(scan.match(/^sess:/gm), 'one new session per visit').toHaveLength(3);
          return scan;
        },
        fix: [['cookie: { secure: true, httpOnly: true }', 'cookie: { httpOnly: true }']],
      },
    ],
  },
  {
    row: "reading 'visits'",
    mistakes: [
      {
        fixture: 'session-after-routes',
        async see(dir) {
          const app = await start(dir);
          const page = await visitor().get(`${app.url}/`);
          expect(page.status).toBe(500);
          return terminal(app, "reading 'visits'");
        },
        fix: [
          ["app.use('/', indexRouter);\napp.use(session(", 'app.use(session('],
          ["app.listen(", "app.use('/', indexRouter);\napp.listen("],
        ],
      },
    ],
  },
  {
    row: 'deprecated req.secret',
    mistakes: [
      {
        fixture: 'no-session-secret',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          // Sessions still work: they are signed with cookie-parser's secret.
          for (const n of ['1', '2', '3']) expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe(n);
          return terminal(app, 'deprecated req.secret');
        },
        fix: [['session({ store, resave: false,', 'session({ store, secret, resave: false,']],
        async fixed(dir) {
          const app = await start(dir);
          await visitor().get(`${app.url}/`);
          expect(app.process.log.join('\n')).not.toContain('deprecated');
          await stop(app);
        },
      },
    ],
  },
  {
    row: 'starts again at 1 after each restart',
    mistakes: [
      {
        fixture: 'secret-made-at-start',
        async see(dir) {
          const browser = visitor();
          let app = await start(dir);
          await browser.get(`${app.url}/`);
          expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('2');
          await stop(app);
          app = await start(dir);
          const page = await browser.get(`${app.url}/`);
          expect(visitsOf(page.body), 'after a restart, the count starts again at 1').toBe('1');
          await stop(app);
          return page.body;
        },
        fix: [["const secret = randomBytes(32).toString('hex');", "const secret = process.env.SESSION_SECRET || 'keyboard cat';"]],
      },
    ],
  },
  {
    row: 'sessions that hold only a',
    mistakes: [
      {
        fixture: 'save-uninitialized',
        async see(dir) {
          const app = await start(dir);
          // Each a new visitor without a cookie: a file served after the session, and a page that is not there.
          // Each answer read to its end: express-session ends it once the session is saved.
          expect(await fetchedStatus(`${app.url}/stylesheets/style.css`)).toBe(200);
          expect(await fetchedStatus(`${app.url}/favicon.ico`)).toBe(404);
          await stop(app);
          const scan = await redisCli('--scan', '--pattern', 'sess:*');
          const keys = scan.split('\n').filter((l) => l.startsWith('sess:'));
          expect(keys).toHaveLength(2);
          const records = await Promise.all(keys.map((key) => redisCli('GET', key)));
          for (const record of records) expect(Object.keys(JSON.parse(record.trim().replace(/^"|"$/g, '').replace(/\\"/g, '"')))).toEqual(['cookie']);
          return `${scan}\n${records.join('\n')}`;
        },
        fix: [['saveUninitialized: true', 'saveUninitialized: false']],
        async fixed(dir) {
          await redis.client.flushAll();
          const app = await start(dir);
          await fetchedStatus(`${app.url}/stylesheets/style.css`);
          await fetchedStatus(`${app.url}/favicon.ico`);
          await stop(app);
          expect(await redis.client.keys('sess:*'), 'static files stay after the session, yet no empty session').toEqual([]);
        },
      },
    ],
  },
  {
    row: 'the session cookie has the same value as before',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-no-regenerate',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          await browser.get(`${app.url}/`);
          const before = await cookieValue(browser, app.url);
          const keysBefore = await scan('sess:*');
          expect((await post(browser, `${app.url}/login`, ADA)).status).toBe(303);
          const after = await cookieValue(browser, app.url);
          const keysAfter = await scan('sess:*');
          expect(before, 'a session before logging in').toBeDefined();
          expect(after, 'the same cookie value').toBe(before);
          expect(keysAfter.keys, 'the same key, and only it').toEqual(keysBefore.keys);
          expect(keysAfter.keys).toHaveLength(1);
          expect((await browser.get(`${app.url}/`)).body).toContain('Logged in as ada');
          return `connect.sid before: ${before}\nconnect.sid after:  ${after}\n${keysBefore.out}\n${keysAfter.out}`;
        },
        fixIn: 'routes/auth.js',
        fix: [
          [
            `    req.session.user = { name: user.name };
    req.session.save((err) => {
      if (err) return next(err);
      res.redirect(303, '/');
    });
`,
            `    const visits = req.session.visits;
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.visits = visits;
      req.session.user = { name: user.name };
      req.session.save((err) => {
        if (err) return next(err);
        res.redirect(303, '/');
      });
    });
`,
          ],
        ],
      },
    ],
  },
  {
    row: 'Logged in, but the page says',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-count-not-carried',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          await browser.get(`${app.url}/`);
          expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('2');
          expect((await post(browser, `${app.url}/login`, ADA)).status).toBe(303);
          const page = await browser.get(`${app.url}/`);
          expect(page.body).toContain('Logged in as ada');
          expect(visitsOf(page.body), 'the count starts again').toBe('1');
          return page.body;
        },
        fixIn: 'routes/auth.js',
        fix: [
          ['    req.session.regenerate((err) => {\n', '    const visits = req.session.visits;\n    req.session.regenerate((err) => {\n'],
          ['      req.session.user = { name: user.name };\n', '      req.session.visits = visits;\n      req.session.user = { name: user.name };\n'],
        ],
      },
    ],
  },
  {
    row: 'After logout the `sess:` key is still in Redis',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-logout-cookie-only',
        async see(dir) {
          const app = await start(dir);
          const browser = await loggedInAda(app);
          const { keys } = await scan('sess:*');
          const oldCookie = await browser.jar.getCookieString(app.url);
          expect((await post(browser, `${app.url}/logout`)).status).toBe(303);
          const after = await scan('sess:*');
          expect(after.keys, 'the key is still there').toEqual(keys);
          const account = await visitor().get(`${app.url}/account`, { cookie: oldCookie });
          expect(account.status, 'the old cookie still logs you in').toBe(200);
          expect(account.body).toContain('You are logged in as ada');
          return `${after.out}\n${account.body}`;
        },
        fixIn: 'routes/auth.js',
        fix: [["    res.clearCookie(cookieName, { httpOnly: true, sameSite: 'lax', secure: req.secure });\n    res.redirect(303, '/');\n", destroyAndClear]],
      },
      {
        fixture: 'step4-logout-user-null',
        async see(dir) {
          const app = await start(dir);
          const browser = await loggedInAda(app);
          const { keys } = await scan('sess:*');
          expect((await post(browser, `${app.url}/logout`)).status).toBe(303);
          const after = await scan('sess:*');
          expect(after.keys, 'the key is still there').toEqual(keys);
          expect(await redisCli('GET', keys[0]!), 'the session stays, without a user').toContain('"user":null');
          return after.out;
        },
        fixIn: 'routes/auth.js',
        fix: [["    req.session.user = null;\n    res.redirect(303, '/');\n", destroyAndClear]],
      },
    ],
  },
  {
    row: 'After logout the browser still sends',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-cookie-name-not-given',
        async see(dir) {
          const app = await start(dir);
          const browser = await loggedInAda(app);
          const logout = await post(browser, `${app.url}/logout`);
          expect(logout.status).toBe(303);
          const setCookie = logout.headers.getSetCookie().join('\n');
          expect(setCookie, 'another cookie is cleared').toMatch(/^sid=;.*Expires=Thu, 01 Jan 1970/m);
          const sent = await browser.jar.getCookieString(`${app.url}/`);
          expect(sent).toMatch(/connect\.sid=s%3A/);
          return `Set-Cookie: ${setCookie}\nCookie: ${sent}`;
        },
        fix: [['    store, // Redis', '    name: sessionCookie,\n    store, // Redis']],
        async fixed(dir) {
          const app = await start(dir);
          const browser = await loggedInAda(app);
          await post(browser, `${app.url}/logout`);
          expect(await browser.jar.getCookieString(`${app.url}/`), 'no session cookie left').not.toMatch(/sid=/);
        },
      },
    ],
  },
  {
    row: 'The 6th wrong password still answers 401',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-count-after-password',
        async see(dir) {
          const app = await start(dir);
          const statuses = await wrongPasswords(app, 6);
          expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
          return statuses.join('\n');
        },
        fixIn: 'routes/auth.js',
        fix: [
          ['      await attempts.take(username);\n', ''],
          ['    const user = users.get(', `${take}    const user = users.get(`],
        ],
      },
      {
        fixture: 'step4-count-per-session',
        async see(dir) {
          const app = await start(dir);
          const statuses = await wrongPasswords(app, 6);
          expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
          const failures = await scan('login:failures:*');
          expect(failures.keys, 'a key per attempt').toHaveLength(6);
          return `${statuses.join('\n')}\n${failures.out}`;
        },
        fixIn: 'routes/auth.js',
        fix: [['attempts.take(req.sessionID)', 'attempts.take(username)']],
      },
    ],
  },
  {
    row: '429 comes on one instance only, or a restart forgets the failures',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-failures-in-a-map',
        async see(dir) {
          const one = await start(dir);
          const two = await start(dir);
          expect(await wrongPasswords(one, 6), 'the 6th on the first instance: 429').toEqual([401, 401, 401, 401, 401, 429]);
          expect(await wrongPasswords(two, 1), 'the 7th, on the second: 401').toEqual([401]);
          await stop(one);
          const restarted = await start(dir);
          expect(await wrongPasswords(restarted, 1), 'after a restart: 401').toEqual([401]);
          expect(await redis.client.keys('login:*'), 'nothing in Redis').toEqual([]);
          return 'port 1: 401 401 401 401 401 429; port 2: 401; after a restart: 401';
        },
        fixIn: 'lib/failures.js',
        fix: [
          ['export function loginAttempts(redis) {', `${countScript}export function loginAttempts(redis) {`],
          [
            `  const failures = new Map(); // key -> { count, until }
  return {
    async take(name) {
      const now = Date.now();
      let entry = failures.get(key(name));
      if (!entry || entry.until <= now) {
        entry = { count: 0, until: now + WINDOW_SECONDS * 1000 };
        failures.set(key(name), entry);
      }
      entry.count += 1;
      if (entry.count <= MAX_FAILURES) return 0;
      return Math.max(1, Math.ceil((entry.until - now) / 1000));
    },
    clear: async (name) => failures.delete(key(name)),
`,
            `  return {
${scriptedTake}    clear: (name) => redis.del(key(name)),
`,
          ],
        ],
        async fixed(dir) {
          await redis.client.flushAll();
          let app = await start(dir);
          await wrongPasswords(app, 5);
          await stop(app);
          app = await start(dir);
          expect(await wrongPasswords(app, 1), 'a restart remembers the failures').toEqual([429]);
        },
      },
    ],
  },
  {
    row: 'A name stays locked out after 15 minutes',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-incr-without-expiry',
        async see(dir) {
          const app = await start(dir);
          expect(await wrongPasswords(app, 6)).toEqual([401, 401, 401, 401, 401, 429]);
          const ttl = await redisCli('TTL', 'login:failures:ada');
          expect(ttl.trim(), 'no expiry: locked out for good').toBe('-1');
          return ttl;
        },
        fixIn: 'lib/failures.js',
        fix: [
          ['export function loginAttempts(redis) {', `${countScript}export function loginAttempts(redis) {`],
          [
            `    async take(name) {
      const attempts = await redis.incr(key(name));
      if (attempts <= MAX_FAILURES) return 0;
      return Math.max(1, await redis.ttl(key(name)));
    },
`,
            scriptedTake,
          ],
        ],
        async fixed(dir) {
          await redis.client.flushAll();
          const app = await start(dir);
          await wrongPasswords(app, 1);
          const ttl = await redis.client.ttl('login:failures:ada');
          expect(ttl > 0 && ttl <= 900, `TTL ${ttl}`).toBe(true);
        },
      },
    ],
  },
  {
    row: "(reading 'username')",
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-no-form-parser',
        async see(dir) {
          const app = await start(dir);
          const page = await post(visitor(), `${app.url}/login`, ADA);
          expect(page.status).toBe(500);
          expect(page.body, 'the error page says one sentence').toContain('Something went wrong on our side');
          return terminal(app, "reading 'username'");
        },
        fix: [['app.use(cookieParser(', `${formParser}app.use(cookieParser(`]],
        alsoFix: { 'routes/auth.js': [['    const username = req.body.username;\n    const password = req.body.password;\n', readForm]] },
      },
      {
        fixture: 'step4-form-parser-after-routes',
        async see(dir) {
          const app = await start(dir);
          expect((await post(visitor(), `${app.url}/login`, ADA)).status).toBe(500);
          return terminal(app, "Cannot destructure property 'username'");
        },
        fix: [
          [`${formParser}\n// #region errors`, '// #region errors'],
          ['app.use(cookieParser(', `${formParser}app.use(cookieParser(`],
        ],
        alsoFix: { 'routes/auth.js': [['    const { username, password } = req.body;\n', readForm]] },
      },
      {
        // The parser is there: a POST with no form in it (`curl -X POST`) has no req.body.
        fixture: 'step4-no-body',
        async see(dir) {
          const app = await start(dir);
          expect((await post(visitor(), `${app.url}/login`, ADA)).status, 'a form logs in').toBe(303);
          expect((await post(visitor(), `${app.url}/login`, null)).status, 'no form: 500').toBe(500);
          return terminal(app, "reading 'username'");
        },
        fixIn: 'routes/auth.js',
        fix: [['    const username = req.body.username;\n    const password = req.body.password;\n', readForm]],
        async fixed(dir) {
          const app = await start(dir);
          expect((await post(visitor(), `${app.url}/login`, null)).status, 'no form: 400').toBe(400);
        },
      },
    ],
  },
  {
    row: 'Input buffers must have the same byte length',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-scrypt-64-bytes',
        async see(dir) {
          const app = await start(dir);
          const page = await post(visitor(), `${app.url}/login`, ADA);
          expect(page.status).toBe(500);
          return `${page.body}\n${await terminal(app, 'Input buffers')}`;
        },
        fixIn: 'lib/password.js',
        fix: [["Buffer.from(salt, 'base64'), 64)", "Buffer.from(salt, 'base64'), expected.length)"]],
      },
    ],
  },
  {
    row: 'Your own login form answers 400',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-form-field-named-user',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          // The form filled in as a browser sends it: each field under the name the page gives it.
          const names = [...(await browser.get(`${app.url}/login`)).body.matchAll(/<input[^>]* name="([^"]+)"/g)].map((m) => m[1]!);
          expect(names).toEqual(['user', 'password']);
          const page = await post(browser, `${app.url}/login`, { user: 'ada', password: 'lovelace' });
          expect(page.status).toBe(400);
          return page.body;
        },
        fixIn: 'views/login.pug',
        fix: [["input(name='user'", "input(name='username'"]],
      },
    ],
  },
  {
    row: 'Your own login form answers 403',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-same-origin-hostname',
        async see(dir) {
          const app = await start(dir);
          // Sent from the app's own page, as a browser sends it.
          const page = await post(visitor(), `${app.url}/login`, ADA, { origin: app.url, 'sec-fetch-site': 'same-origin' });
          expect(page.status).toBe(403);
          return page.body;
        },
        fixIn: 'lib/same-origin.js',
        fix: [['${req.hostname}', '${req.host}']],
        async fixed(dir) {
          const app = await start(dir);
          expect((await post(visitor(), `${app.url}/login`, ADA, { origin: app.url, 'sec-fetch-site': 'same-origin' })).status).toBe(303);
          expect((await crossSite(visitor(), `${app.url}/login`, ADA)).status).toBe(403);
        },
      },
    ],
  },
  {
    row: 'A form on another site still logs you out, or in',
    step: 'step4',
    mistakes: [
      {
        fixture: 'step4-same-origin-after-routes',
        async see(dir) {
          const app = await start(dir);
          const ada = await loggedInAda(app);
          const logout = await crossSite(ada, `${app.url}/logout`);
          expect(await cookieValue(ada, app.url), "ada's browser stored the clearing cookie: logged out").toBeUndefined();
          const someone = visitor();
          const login = await crossSite(someone, `${app.url}/login`, ADA);
          expect((await someone.get(`${app.url}/account`)).body, 'a browser logged in by another site').toContain('You are logged in as ada');
          return `POST /logout: ${logout.status}\nPOST /login: ${login.status}`;
        },
        fix: [
          ["// Refuse any POST another site's page made the browser send.\napp.use(sameOrigin);\n\n", ''],
          ['app.use(express.urlencoded(', 'app.use(sameOrigin);\napp.use(express.urlencoded('],
        ],
        async fixed(dir) {
          const app = await start(dir);
          const ada = await loggedInAda(app);
          expect((await crossSite(ada, `${app.url}/logout`)).status).toBe(403);
          expect(await cookieValue(ada, app.url), 'still logged in').toBeDefined();
          expect((await crossSite(visitor(), `${app.url}/login`, ADA)).status).toBe(403);
        },
      },
    ],
  },
  {
    row: "(reading 'handle')",
    step: 'step5',
    mistakes: [
      {
        fixture: 'step5-seen-without-device',
        async see(dir) {
          // Logged in while the app was step 4's, on the same Redis and secret: a session without a device.
          const before = await start(join(repo, 'steps', 'step4'));
          const browser = await loggedInAda(before);
          await stop(before);
          const app = await start(dir);
          const home = await browser.get(`${app.url}/`);
          expect(home.status, 'every page: 500').toBe(500);
          expect(home.body).toContain('Something went wrong on our side');
          expect((await browser.get(`${app.url}/account`)).status).toBe(500);
          // A login made by step 5 has a device: that browser is fine.
          const laptop = await onDevice(app, 'Laptop');
          expect(await loggedInOn(app, laptop)).toBe(true);
          return `${home.body}\n${await terminal(app, "reading 'handle'")}`;
        },
        fixIn: 'lib/devices.js',
        fix: [['      if (!user) return next();\n', '      if (!user || !device) return next();\n']],
        async fixed(dir) {
          const before = await start(join(repo, 'steps', 'step4'));
          const browser = await loggedInAda(before);
          await stop(before);
          const app = await start(dir);
          const home = await browser.get(`${app.url}/`);
          expect(home.status).toBe(200);
          expect(home.body, 'still logged in').toContain('Logged in as ada');
          expect((await browser.get(`${app.url}/account`)).status).toBe(200);
        },
      },
    ],
  },
  {
    row: 'Cannot POST /sessions/',
    step: 'step5',
    mistakes: [
      {
        fixture: 'step5-handle-base64',
        async see(dir) {
          const app = await start(dir);
          const me = await onDevice(app, 'Laptop');
          // About one base64 handle in four holds a '/': ada logs in on more devices until one does.
          let split: string | undefined;
          let whole: string | undefined;
          for (let i = 1; i <= 40 && !(split && whole); i++) {
            const d = await onDevice(app, `Phone ${i}`);
            const action = revokeForms((await open(app, me, '/account')).body).get(d.agent)!;
            expect(action, `a form for ${d.agent}`).toMatch(/^\/sessions\/.+\/revoke$/);
            const handle = action.slice('/sessions/'.length, -'/revoke'.length);
            if (handle.includes('/')) split ??= action;
            else whole ??= action;
          }
          expect(split, "a handle with a '/' in 40 logins").toBeDefined();
          expect(whole, "a handle without one").toBeDefined();
          const refused = await postFrom(app, me, split!);
          expect(refused.status, split).toBe(404);
          const works = await postFrom(app, me, whole!);
          expect(works.status, `${whole}: the others work`).toBe(303);
          return refused.body;
        },
        fixIn: 'lib/devices.js',
        fix: [["newHandle: () => randomBytes(16).toString('base64'),", "newHandle: () => randomBytes(16).toString('base64url'),"]],
        async fixed(dir) {
          await redis.client.flushAll(); // the devices the mistake left
          const app = await start(dir);
          const me = await onDevice(app, 'Laptop');
          for (let i = 1; i <= 8; i++) await onDevice(app, `Phone ${i}`);
          const forms = revokeForms((await open(app, me, '/account')).body);
          expect(forms.size).toBe(8);
          for (const action of forms.values()) {
            expect(action).toMatch(/^\/sessions\/[\w-]{22}\/revoke$/);
            expect((await postFrom(app, me, action)).status, action).toBe(303);
          }
          expect(revokeForms((await open(app, me, '/account')).body).size, 'every other device logged out').toBe(0);
        },
      },
    ],
  },
  {
    row: 'logs out this one',
    step: 'step5',
    mistakes: [
      {
        fixture: 'step5-revoke-own-session',
        async see(dir) {
          const app = await start(dir);
          const laptop = await onDevice(app, 'Laptop');
          const phone = await onDevice(app, 'Phone');
          const action = revokeForms((await open(app, laptop, '/account')).body).get('Phone')!;
          const revoke = await postFrom(app, laptop, action);
          expect(revoke.status).toBe(303);
          const next = await open(app, laptop, '/account');
          expect(next.status, 'the laptop is logged out').toBe(303);
          expect(next.headers.get('location')).toBe('/login');
          expect(await loggedInOn(app, phone), 'the phone is still logged in').toBe(true);
          return `POST ${action}: ${revoke.status}\nGET /account on the laptop: ${next.status}, to ${next.headers.get('location')}\nthe phone: logged in`;
        },
        fixIn: 'routes/devices.js',
        fix: [
          [
            `    req.session.destroy((err) => {
      if (err) return next(err);
      res.redirect(303, '/account');
    });
`,
            `    await devices.revoke(req.session.user.name, handle, sid);
    res.redirect(303, '/account');
`,
          ],
        ],
        async fixed(dir) {
          const app = await start(dir);
          const laptop = await onDevice(app, 'Laptop');
          const phone = await onDevice(app, 'Phone');
          expect((await postFrom(app, laptop, revokeForms((await open(app, laptop, '/account')).body).get('Phone')!)).status).toBe(303);
          expect(await loggedInOn(app, laptop)).toBe(true);
          expect(await loggedInOn(app, phone)).toBe(false);
        },
      },
    ],
  },
  {
    row: "Cannot destructure property 'user'",
    step: 'step5',
    mistakes: [
      {
        fixture: 'step5-forget-after-destroy',
        async see(dir) {
          const app = await start(dir);
          const browser = await loggedInAda(app);
          const logout = await post(browser, `${app.url}/logout`);
          expect(logout.status).toBe(500);
          expect(logout.body).toContain('Something went wrong on our side');
          expect(await redis.client.hLen('devices:ada'), 'its entry is still in the index').toBe(1);
          return `${logout.body}\n${await terminal(app, "Cannot destructure property 'user'")}`;
        },
        fixIn: 'routes/auth.js',
        fix: [
          ['    req.session.destroy((err) => {\n', '    const session = req.session;\n    session.destroy((err) => {\n'],
          ['devices.forget(req.session)', 'devices.forget(session)'],
        ],
        async fixed(dir) {
          await redis.client.flushAll(); // the entry the mistake left
          const app = await start(dir);
          const browser = await loggedInAda(app);
          expect((await post(browser, `${app.url}/logout`)).status).toBe(303);
          expect(await redis.client.exists('devices:ada'), 'the entry left the index').toBe(0);
        },
      },
    ],
  },
  {
    row: 'TTL of `devices:ada`',
    step: 'step5',
    mistakes: [
      {
        fixture: 'step5-index-without-expiry',
        async see(dir) {
          const app = await start(dir);
          await onDevice(app, 'Laptop');
          const { out } = await scan('devices:*');
          const ttl = await redisCli('TTL', 'devices:ada');
          expect(ttl.trim(), 'no expiry').toBe('-1');
          return `${out}\n${ttl}`;
        },
        fixIn: 'lib/devices.js',
        fix: [['      await client.hSet(key(name), handle, sid);\n', '      await client.multi().hSet(key(name), handle, sid).expire(key(name), ttl).exec();\n']],
        async fixed(dir) {
          await redis.client.flushAll();
          const app = await start(dir);
          await onDevice(app, 'Laptop');
          const ttl = await redis.client.ttl('devices:ada');
          expect(ttl > 86_400 && ttl <= 90_000, `TTL ${ttl}`).toBe(true);
        },
      },
    ],
  },
];

describe("When it doesn't work", () => {
  it('has a case here for every row of every table, and a row for every case', async () => {
    const rows = await troubleshootingRows();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(cases.filter((c) => row.cells[0]!.includes(c.row)), `${row.deck}: ${row.cells[0]}`).toHaveLength(1);
      expect(row.cells, `${row.deck}: a row is You see | Because | Fix`).toHaveLength(3);
    }
    for (const c of cases) expect(rows.filter((row) => row.cells[0]!.includes(c.row)), c.row).toHaveLength(1);
  });

  it.each(cases)('$row: the learner sees what the row says, and its fix passes verify', async (c) => {
    const row = (await troubleshootingRows()).find((r) => r.cells[0]!.includes(c.row))!;
    const seen: string[] = [];
    const step = c.step ?? 'step3';
    for (const mistake of c.mistakes) {
      await redis.client.flushAll(); // what the case's previous mistake left
      const dir = await fixtureApp(mistake.fixture, step);
      const saw = await mistake.see(dir);
      // An "a, or b" row: each mistake shows one of them at least.
      expect(quoted(row.cells[0]!).some((q) => saw.includes(q)) || quoted(row.cells[0]!).length === 0, `${mistake.fixture}:\n${saw}`).toBe(true);
      seen.push(saw);
      await applyFix(dir, mistake.fix, mistake.fixIn);
      for (const [file, fix] of Object.entries(mistake.alsoFix ?? {})) await applyFix(dir, fix, file);
      await mistake.fixed?.(dir);
      await apps.stopAll();
      await expectVerifyPasses(dir, step);
    }
    for (const q of quoted(row.cells[0]!)) expect(seen.join('\n'), `the learner sees ${q}`).toContain(q);
  }, 150_000);
});
