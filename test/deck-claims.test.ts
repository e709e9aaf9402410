// What the decks say the libraries do, shown with the libraries themselves:
// real apps as child processes, a real redis-server, no mocks. Claims that
// no test here shows carry a link on their slide to the library's own
// README, changelog or docs.
import { scryptSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RedisStore } from 'connect-redis';
import { CookieJar } from 'tough-cookie';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChild } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { startRedisServer } from '../runner/redis.ts';
import { visitor, type RunningApp } from './helpers/app.ts';
import { launchBrowser } from './helpers/browser.ts';
import { fixtureApps } from './fixture-apps.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { repo } from './helpers/verify-cli.ts';

// Neither package ships types; these are the two functions used.
const require = createRequire(import.meta.url);
const pug = require('pug') as { render(source: string, locals: object): string };
const signature = require('cookie-signature') as { sign(value: string, secret: string): string };

const fixtures = fileURLToPath(new URL('./fixtures/deck-claims/', import.meta.url));
const step = (n: number) => join(repo, 'steps', `step${n}`);
const visitsOf = (body: string) => /You have visited this page (\d+) time/.exec(body)?.[1];

let redis: ThrowawayRedis;
const apps = fixtureApps(() => ({ REDIS_URL: redis.url, SESSION_SECRET: 'claims' }));
const { start, stop } = apps;
const step3With = (fixture: string) => apps.step3With(join(fixtures, fixture));

/** steps/step4 in a temporary folder, with `edit` applied to its app.js (each `from` there once). */
async function step4Without(edits: [from: string, to: string][] = []): Promise<string> {
  const empty = await mkdtemp(join(tmpdir(), 'claims-empty-'));
  apps.later(() => rm(empty, { recursive: true, force: true }));
  const dir = await apps.stepWith('step4', empty);
  let text = await readFile(join(dir, 'app.js'), 'utf8');
  for (const [from, to] of edits) {
    expect(text.split(from).length - 1, from).toBe(1);
    text = text.replace(from, to);
  }
  await writeFile(join(dir, 'app.js'), text);
  return dir;
}

/** steps/step<n> in a temporary folder, with `edits` applied to its `file` (each `from` there once). */
async function stepEdited(n: number, file: string, edits: [from: string, to: string][]): Promise<string> {
  const empty = await mkdtemp(join(tmpdir(), 'claims-empty-'));
  apps.later(() => rm(empty, { recursive: true, force: true }));
  const dir = await apps.stepWith(`step${n}`, empty);
  let text = await readFile(join(dir, file), 'utf8');
  for (const [from, to] of edits) {
    expect(text.split(from).length - 1, from).toBe(1);
    text = text.replace(from, to);
  }
  await writeFile(join(dir, file), text);
  return dir;
}

/** A POST of a form, no redirect followed; `form: null` sends no body at all. */
async function postForm(url: string, form: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...(form === null ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...headers },
    ...(form === null ? {} : { body: form }),
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

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

describe('step 1', () => {
  it('Express finds pug by name once installed; res.render and express.static do what the slides say', async () => {
    const app = await start(step(1));
    const page = await fetch(`${app.url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<h1>Express</h1>');
    const css = await fetch(`${app.url}/stylesheets/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    await stop(app);
  });

  it('pug: `h1= title` and `#{title}` both escape; `!{}` does not', () => {
    const html = pug.render('h1= title\np Hi #{title}\np !{title}', { title: '<b>' });
    expect(html).toBe('<h1>&lt;b&gt;</h1><p>Hi &lt;b&gt;</p><p><b></p>');
  });
});

describe('step 2: cookie-parser', () => {
  it('`signed: true` makes the value s:<value>.<signature>; a forged one is false in req.signedCookies, an unsigned one only in req.cookies', async () => {
    const app = await start(join(fixtures, 'cookie-parser'));
    const set = (await fetch(`${app.url}/set`)).headers.getSetCookie()[0]!;
    const value = decodeURIComponent(/^firstVisit=([^;]+)/.exec(set)![1]!);
    expect(value).toMatch(/^s:hello\.[\w+/]+$/);
    const read = async (cookie: string) => (await fetch(`${app.url}/`, { headers: { cookie } })).json();

    expect(await read(`firstVisit=${encodeURIComponent(value)}`)).toEqual({ cookies: {}, signedCookies: { firstVisit: 'hello' } });
    const forged = value.replace('hello', 'HELLO');
    expect(await read(`firstVisit=${encodeURIComponent(forged)}`)).toEqual({ cookies: {}, signedCookies: { firstVisit: false } });
    expect(await read('firstVisit=hello')).toEqual({ cookies: { firstVisit: 'hello' }, signedCookies: {} });
    // Signed with another secret (step 3's SESSION_SECRET, if it differs from step 2's COOKIE_SECRET): false too.
    const otherSecret = `s:${signature.sign('hello', 'another secret')}`;
    expect(await read(`firstVisit=${encodeURIComponent(otherSecret)}`)).toEqual({ cookies: {}, signedCookies: { firstVisit: false } });
    await stop(app);
  });
});

describe('step 3: express-session, connect-redis, redis', () => {
  it('with two different secrets (cookie-parser A, session B) the session still counts 1, 2, 3', async () => {
    const app = await start(await step3With('two-secrets'), { COOKIE_SECRET: 'A', SESSION_SECRET: 'B' });
    const browser = visitor();
    for (const n of ['1', '2', '3']) expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe(n);
    await stop(app);
  });

  it('the session is in Redis once the answer has come, with its visits; its TTL is one day from the last visit, like its cookie', async () => {
    const app = await start(step(3));
    const browser = visitor();
    await browser.get(`${app.url}/`);
    const [key] = await redis.client.keys('sess:*');
    const record = JSON.parse((await redis.client.get(key!))!);
    expect(record.visits).toBe(1);
    // express-session sets originalMaxAge to expires − now, read a moment after expires was set
    // (session/cookie.js, `set expires`): one day, or a millisecond or so less when the clock ticks between.
    expect(record.cookie.originalMaxAge).toBeGreaterThan(86_400_000 - 1000);
    expect(record.cookie.originalMaxAge).toBeLessThanOrEqual(86_400_000);
    await redis.client.expire(key!, 1000); // as if time had passed
    await browser.get(`${app.url}/`);
    expect(await redis.client.ttl(key!)).toBeGreaterThan(86_400 - 10);
    expect(await redis.client.ttl(key!)).toBeLessThanOrEqual(86_400);
    await stop(app);
  });

  it('a stylesheet (static files first) sets no cookie and stores nothing', async () => {
    const app = await start(step(3));
    const css = await fetch(`${app.url}/stylesheets/style.css`);
    expect(css.headers.getSetCookie()).toEqual([]);
    expect(await redis.client.keys('*')).toEqual([]);
    await stop(app);
  });

  it('MemoryStore, the default, forgets every session when the app restarts', async () => {
    const dir = join(repo, 'bench', 'apps', 'memory-store');
    const browser = visitor();
    let app = await start(dir);
    await browser.get(`${app.url}/`);
    expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('2');
    await stop(app);
    app = await start(dir);
    expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('1');
    await stop(app);
  });

  it('reconnectStrategy: without Redis at start the app says so and exits at once', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const child = startChild(process.execPath, ['app.js'], { cwd: step(3), env: { ...process.env, REDIS_URL: url, PORT: String(await freePort()) } });
    const timer = setTimeout(() => void child.stop(), 10_000);
    const exit = await child.exited;
    clearTimeout(timer);
    expect(exit.code).toBe(1);
    expect(child.log.join('\n')).toContain(`Cannot reach Redis at ${url}`);
  });

  it('reconnectStrategy: once connected, a lost Redis is tried again until it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claims-redis-'));
    let server = await startRedisServer({ dir, persist: false });
    apps.later(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const app = await start(step(3), { REDIS_URL: server.url });
    const browser = visitor();
    expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('1');
    await server.stop();
    server = await startRedisServer({ dir, persist: false, port: server.port });
    // The client waits 0.1 to 2 s between tries: within a few seconds, pages count again.
    let body = '';
    for (let waited = 0; waited < 8000 && visitsOf(body) === undefined; waited += 200) {
      await new Promise((r) => setTimeout(r, 200));
      body = (await browser.get(`${app.url}/`)).body;
    }
    expect(visitsOf(body)).toBe('1'); // the new, empty Redis: a new session
    expect(app.process.exit).toBeNull();
    await stop(app);
  });
});

describe('step 3: reconnecting', () => {
  it('reconnectStrategy: a lost connection is tried again at once, then after 0.1 s, 0.2 s, 0.3 s…', async () => {
    // A proxy in front of Redis: it can drop the app's connection, and refuse the next tries.
    const sockets = new Set<Socket>();
    const tries: number[] = [];
    let refuse = 0;
    const proxy = createTcpServer((client) => {
      if (refuse > 0) {
        refuse--;
        tries.push(performance.now());
        client.destroy();
        return;
      }
      const upstream = connect(redis.port, '127.0.0.1');
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
      sockets.add(client).add(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    apps.later(() => new Promise((resolve) => (proxy.close(() => resolve()), sockets.forEach((socket) => socket.destroy()))));
    const port = (proxy.address() as { port: number }).port;
    const app = await start(step(3), { REDIS_URL: `redis://127.0.0.1:${port}` });
    const browser = visitor();
    expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('1');

    refuse = 4;
    const dropped = performance.now();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    for (let waited = 0; tries.length < 4 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(tries).toHaveLength(4);
    const [first, ...rest] = tries.map((t) => t - dropped);
    expect(first, 'the first try, at once').toBeLessThan(90);
    // Each wait 0.1 s longer than the one before (the app's retries × 100 ms); timers may run late, never early.
    const waits = rest.map((t, i) => t - (i ? rest[i - 1]! : first!));
    waits.forEach((wait, i) => {
      expect(wait, `wait ${i + 1}: ${waits.map(Math.round).join(', ')} ms`).toBeGreaterThanOrEqual((i + 1) * 100 - 10);
      expect(wait, `wait ${i + 1}: ${waits.map(Math.round).join(', ')} ms`).toBeLessThan((i + 1) * 100 + 300);
    });
    // The fifth try goes through: the app works again, on the same Redis.
    let body = '';
    for (let waited = 0; waited < 5000 && visitsOf(body) !== '2'; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await browser.get(`${app.url}/`)).body;
    }
    expect(visitsOf(body)).toBe('2');
    await stop(app);
  });
});

describe('step 4: the form, the hash, the count', () => {
  it('express.urlencoded({ extended: false }): qs at depth 0, a doubled field an array, no form no req.body', async () => {
    const app = await start(join(fixtures, 'urlencoded'));
    const body = async (form: string | null, headers?: Record<string, string>) => JSON.parse((await postForm(`${app.url}/`, form, headers)).body);
    expect(await body('username=ada&password=lovelace')).toEqual({ body: { username: 'ada', password: 'lovelace' } });
    expect(await body('username=ada&username=bob')).toEqual({ body: { username: ['ada', 'bob'] } });
    expect(await body('user[name]=ada')).toEqual({ body: { 'user[name]': 'ada' } });
    expect(await body(null)).toEqual({ undefined: true });
    expect(await body('{"username":"ada"}', { 'content-type': 'application/json' })).toEqual({ undefined: true });
    await stop(app);
  });

  it('=== on two Buffers compares the objects, not their bytes; timingSafeEqual wants equal lengths', async () => {
    const { timingSafeEqual } = await import('node:crypto');
    const [a, b] = [Buffer.from('same bytes'), Buffer.from('same bytes')];
    expect(a === b).toBe(false);
    expect(a.equals(b)).toBe(true);
    expect(timingSafeEqual(a, b)).toBe(true);
    expect(() => timingSafeEqual(a, Buffer.from('other'))).toThrow('Input buffers must have the same byte length');
  });

  it("scrypt: Node's defaults take 16 MiB; OWASP's N=2^17 (128 MiB) is refused until maxmem is raised", () => {
    const owasp = { N: 2 ** 17, r: 8, p: 1 };
    // maxmem is 32 MiB by default: N=2^14 (128 × N × r = 16 MiB) fits, 2^15 does not.
    expect(scryptSync('lovelace', 'salt', 32)).toEqual(scryptSync('lovelace', 'salt', 32, { N: 2 ** 14, r: 8, p: 1 }));
    expect(() => scryptSync('lovelace', 'salt', 32, { N: 2 ** 15 })).toThrow(/memory limit/);
    expect(() => scryptSync('lovelace', 'salt', 32, owasp)).toThrow(/memory limit/);
    expect(scryptSync('lovelace', 'salt', 32, { ...owasp, maxmem: 256 * 1024 * 1024 })).toHaveLength(32);
  });

  it('SET … NX EX, then INCR: a key that expires between the two comes back without an expiry', async () => {
    const key = 'login:failures:ada';
    await redis.client.set(key, '3', { PX: 100 }); // a count with 0.1 s left
    expect(await redis.client.set(key, '0', { NX: true, EX: 900 })).toBeNull(); // there: NX does nothing
    await new Promise((r) => setTimeout(r, 150)); // …and it expires before the INCR
    expect(await redis.client.incr(key)).toBe(1);
    expect(await redis.client.ttl(key), 'no expiry: locked out for good').toBe(-1);
  });

  it("lib/failures.js's script: the first attempt starts 900 s, the next keep what is left, and a key without expiry gets one", async () => {
    const { loginAttempts } = (await import(pathToFileURL(join(step(4), 'lib', 'failures.js')).href)) as {
      loginAttempts(redis: unknown): { take(name: string): Promise<number> };
    };
    const attempts = loginAttempts(redis.client);
    const key = 'login:failures:ada';
    expect(await attempts.take('Ada')).toBe(0);
    expect(await redis.client.ttl(key)).toBe(900);
    await redis.client.expire(key, 500); // as if 400 s had gone by
    for (let i = 2; i <= 5; i++) expect(await attempts.take('ada')).toBe(0);
    expect(await attempts.take('ada'), 'the 6th: wait what is left').toBe(500);
    expect(await redis.client.get(key)).toBe('6');
    // A count left without expiry (by older code) gets one at its next attempt.
    await redis.client.persist(key);
    await attempts.take('ada');
    expect(await redis.client.ttl(key)).toBe(900);
  });

  it('MULTI, INCR, EXPIRE … NX, EXEC does the same on Redis 7 or newer', async (ctx) => {
    const version = Number(/redis_version:(\d+)/.exec(await redis.client.info('server'))![1]);
    if (version < 7) ctx.skip(); // EXPIRE's NX came in 7.0
    const key = 'login:failures:ada';
    const count = () => redis.client.multi().incr(key).expire(key, 900, 'NX').exec();
    expect(await count()).toEqual([1, 1]);
    await redis.client.expire(key, 500);
    expect(await count(), 'the expiry is left alone').toEqual([2, 0]);
    expect(await redis.client.ttl(key)).toBe(500);
  });
});

describe('step 4: the session at login', () => {
  it('a login deletes the old session and writes the new one twice: our save(), then express-session at the end', async () => {
    const app = await start(step(4));
    const browser = visitor();
    await browser.get(`${app.url}/`);
    const [old] = await redis.client.keys('sess:*');
    const monitor = startChild('redis-cli', ['-p', String(redis.port), 'monitor'], { cwd: tmpdir() });
    apps.later(async () => void (await monitor.stop()));
    for (let waited = 0; !(await redis.client.clientList()).some((c) => c.cmd === 'monitor'); waited += 20) {
      expect(waited, 'MONITOR attached').toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const cookie = await browser.jar.getCookieString(app.url);
    const login = await postForm(`${app.url}/login`, 'username=ada&password=lovelace', { cookie });
    expect(login.status).toBe(303);
    const [now] = await redis.client.keys('sess:*');
    expect(now).not.toBe(old);
    await redis.client.ping(); // MONITOR lists it after the login's commands
    for (let waited = 0; !monitor.log.some((l) => l.includes('"PING"')) && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await monitor.stop();
    const commands = monitor.log.map((l) => /\] "(\w+)" "([^"]*)"/.exec(l)).filter(Boolean).map((m) => `${m![1]} ${m![2]}`);
    expect(commands.filter((c) => c.startsWith('DEL sess:'))).toEqual([`DEL ${old}`]);
    expect(commands.filter((c) => c.startsWith('SET sess:'))).toEqual([`SET ${now}`, `SET ${now}`]);
    await stop(app);
  });

  it("an error: Express's own page shows the stack and our paths; the solution's says one sentence, the terminal the rest", async () => {
    // A stored hash that is not one: verifyPassword throws, the route's promise rejects.
    const broken = (dir: string) => writeFile(join(dir, 'lib', 'users.js'), "export const users = new Map([['ada', { name: 'ada', passwordHash: 'broken' }]]);\n");
    const withHandler = await step4Without();
    await broken(withHandler);
    let app = await start(withHandler);
    const ours = await postForm(`${app.url}/login`, 'username=ada&password=lovelace');
    expect(ours.status).toBe(500);
    expect(ours.body).toContain('Something went wrong on our side');
    expect(ours.body).not.toContain(withHandler);
    expect(ours.body).not.toMatch(/\bat \w/);
    expect(app.process.log.join('\n')).toMatch(/TypeError[\s\S]*lib\/password\.js/);
    await stop(app);

    const without = await step4Without([[/\/\/ #region errors[\s\S]*?\/\/ #endregion\n/.exec(await readFile(join(step(4), 'app.js'), 'utf8'))![0], '']]);
    await broken(without);
    app = await start(without);
    const express = await postForm(`${app.url}/login`, 'username=ada&password=lovelace');
    expect(express.status).toBe(500);
    expect(express.body).toContain(join(without, 'lib', 'password.js'));
    expect(express.body).toMatch(/TypeError/);
    await stop(app);
  });
});

describe('step 4: forms from other sites, in Chromium', () => {
  it('without the origin check, a page elsewhere logs you out and logs you in as the attacker; with it, both are refused', async () => {
    // Another site: a page on localhost, which is not the site of 127.0.0.1, that posts a form to the app at once.
    let target = '';
    const evil = createHttpServer((req, res) => {
      const login = req.url === '/login';
      const fields = login ? '<input name="username" value="ada"><input name="password" value="lovelace">' : '';
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="${target}${login ? '/login' : '/logout'}">${fields}</form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    apps.later(() => new Promise((resolve) => (evil.close(() => resolve()), evil.closeAllConnections())));
    const elsewhere = `http://localhost:${(evil.address() as { port: number }).port}`;
    const browser = await launchBrowser();
    apps.later(() => browser.close());
    const { context, page } = browser;

    /** Ada logs in with the form, then a page elsewhere posts to /logout; then a fresh browser meets its /login. */
    async function attack(dir: string) {
      await redis.client.flushAll();
      await context.clearCookies();
      const app = await start(dir);
      target = app.url;
      const session = async () => (await context.cookies(app.url)).find((c) => c.name === 'connect.sid')?.value;
      await page.goto(`${app.url}/login`);
      await page.fill('input[name=username]', 'ada');
      await page.fill('input[name=password]', 'lovelace');
      await Promise.all([page.waitForURL(`${app.url}/`), page.click('button[type=submit]')]);
      expect(await page.textContent('body')).toContain('Logged in as ada');
      const before = await session();
      expect(before).toBeDefined();
      let answer = page.waitForResponse((r) => r.url() === `${app.url}/logout`);
      await page.goto(`${elsewhere}/logout`);
      const status = (await answer).status();
      await page.goto(`${app.url}/account`);
      // Still ada's session, or was her cookie replaced? Her record stays in Redis either way: Lax kept the cookie home.
      const adaId = decodeURIComponent(before!).slice(2).split('.')[0];
      const logout = {
        status,
        loggedIn: ((await page.textContent('body')) ?? '').includes('You are logged in as ada'),
        sameCookie: (await session()) === before,
        kept: await redis.client.exists(`sess:${adaId}`),
      };
      await context.clearCookies();
      answer = page.waitForResponse((r) => r.url() === `${app.url}/login`);
      await page.goto(`${elsewhere}/login`);
      const login = { status: (await answer).status(), cookie: await session() };
      await page.goto(`${app.url}/account`);
      const account = (await page.textContent('body')) ?? '';
      await stop(app);
      return { before, logout, login, account };
    }

    const open = await attack(await step4Without([['app.use(sameOrigin);\n', '']]));
    // Lax kept the cookie home: the session is still in Redis. But the answer's clearing cookie was stored.
    expect(open.logout).toEqual({ status: 303, loggedIn: false, sameCookie: false, kept: 1 });
    expect(open.login.status).toBe(303);
    expect(open.login.cookie, 'logged in by another site').toBeDefined();
    expect(open.account).toContain('You are logged in as ada');

    const guarded = await attack(step(4));
    expect(guarded.logout).toEqual({ status: 403, loggedIn: true, sameCookie: true, kept: 1 });
    expect(guarded.login).toEqual({ status: 403, cookie: undefined });
    expect(guarded.account).not.toContain('You are logged in');
  }, 60_000);
});

// Step 5: one user on several devices, each with its own cookies and User-Agent.
function device(app: RunningApp, userAgent: string) {
  const jar = new CookieJar();
  async function send(method: string, path: string, form?: string) {
    const url = app.url + path;
    const cookie = await jar.getCookieString(url);
    const res = await fetch(url, {
      method,
      headers: { 'user-agent': userAgent, ...(cookie ? { cookie } : {}), ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(form === undefined ? {} : { body: form }),
      redirect: 'manual',
    });
    for (const header of res.headers.getSetCookie()) await jar.setCookie(header, url);
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
  return {
    userAgent,
    get: (path: string) => send('GET', path),
    post: (path: string, form = '') => send('POST', path, form),
    async login(name = 'ada', password = 'lovelace') {
      expect((await send('POST', '/login', `username=${name}&password=${password}`)).status, `${name} logs in`).toBe(303);
    },
    /** The session cookie's value, decoded: s:<id>.<signature>. */
    async cookie() {
      return decodeURIComponent((await jar.getCookies(app.url)).find((c) => c.key === 'connect.sid')!.value);
    },
    /** The session id in the session cookie. */
    async sid() {
      return /^s:([^.]+)\./.exec(await this.cookie())![1]!;
    },
  };
}
type Device = ReturnType<typeof device>;

const loggedInAs = async (d: Device) => /You are logged in as (\w+)/.exec((await d.get('/account')).body)?.[1];

/** The handle of `other`'s entry on `me`'s account page (its revoke form). */
async function handleOf(me: Device, other: Device): Promise<string> {
  const page = (await me.get('/account')).body;
  const entry = [...page.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!).find((html) => html.includes(`<strong>${other.userAgent}</strong>`));
  const handle = /action="\/sessions\/([^/"]+)\/revoke"/.exec(entry ?? '')?.[1];
  expect(handle, `${other.userAgent} on the account page`).toBeDefined();
  return handle!;
}

/** The commands Redis ran while `during` ran, as MONITOR shows them: each its name and arguments. */
async function commandsDuring(during: () => Promise<void>): Promise<string[][]> {
  const monitor = redis.client.duplicate();
  monitor.on('error', () => {});
  await monitor.connect();
  const lines: string[] = [];
  let ended: () => void;
  const end = new Promise<void>((resolve) => (ended = resolve));
  await monitor.monitor((line: string) => {
    lines.push(line);
    if (line.includes('"claims-end"')) ended();
  });
  try {
    await during();
    await redis.client.echo('claims-end'); // MONITOR shows commands in order: this one comes last
    await end;
  } finally {
    monitor.destroy();
  }
  return lines
    .map((line) => [...line.replace(/^[^\]]*\] /, '').matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!))
    .filter((args) => args[0] !== 'ECHO');
}

describe('step 5: what a session id is, and where sessions are', () => {
  it('the session cookie is s:<id>.<signature>, the id signed with the secret: the id and the secret make a cookie that logs in', async () => {
    const app = await start(step(5));
    const laptop = device(app, 'Laptop');
    await laptop.login();
    const [key] = await redis.client.keys('sess:*');
    const id = key!.slice('sess:'.length);
    expect(await laptop.sid()).toBe(id);
    // What the app sent is exactly what cookie-signature makes of the id and the secret.
    const cookie = `s:${signature.sign(id, 'claims')}`;
    expect(await laptop.cookie()).toBe(cookie);
    // Anyone with the id and the secret: another machine, no login.
    const page = await fetch(`${app.url}/account`, { headers: { cookie: `connect.sid=${encodeURIComponent(cookie)}` }, redirect: 'manual' });
    expect(await page.text()).toContain('You are logged in as ada');
    // The same id, signed with another secret, is nobody.
    const other = await fetch(`${app.url}/account`, { headers: { cookie: `connect.sid=${encodeURIComponent(`s:${signature.sign(id, 'another')}`)}` }, redirect: 'manual' });
    expect(other.status).toBe(303);
    await stop(app);
  });

  it("connect-redis: a record is sess:<id>, nothing in its key says whose; store.all() SCANs every key and MGETs them all, every user's; store.destroy(id) is a DEL", async () => {
    const app = await start(step(5));
    const ada = [device(app, 'Laptop'), device(app, 'Phone')];
    for (const d of ada) await d.login();
    const grace = device(app, 'Grace');
    await grace.login('grace', 'hopper');
    const store = new RedisStore({ client: redis.client });
    expect(store.prefix).toBe('sess:');
    let all: { user?: { name: string } }[] = [];
    const commands = await commandsDuring(async () => {
      all = (await store.all()) as typeof all;
    });
    expect(commands.map((c) => c[0])).toEqual(['SCAN', 'MGET']);
    expect(commands[0]).toEqual(expect.arrayContaining(['MATCH', 'sess:*']));
    expect(commands[1]).toHaveLength(4); // MGET and the three records: grace's too
    expect(all.map((s) => s.user?.name).sort()).toEqual(['ada', 'ada', 'grace']);

    const sid = await grace.sid();
    const destroy = await commandsDuring(() => store.destroy(sid));
    expect(destroy).toEqual([['DEL', `sess:${sid}`]]);
    expect(await loggedInAs(grace)).toBeUndefined();
    await stop(app);
  });
});

describe('step 5: express-session writes the record at the end of each request', () => {
  it('a SET of the whole record, EX one day, when the session changed; EXPIRE (connect-redis touch) when it did not', async () => {
    const app = await start(step(5));
    const laptop = device(app, 'Laptop');
    await laptop.login();
    const key = `sess:${await laptop.sid()}`;
    // The commands on this record (a SET without the record's JSON).
    const onRecord = (commands: string[][]) =>
      commands.filter((c) => ['GET', 'SET', 'EXPIRE', 'DEL'].includes(c[0]!) && c[1] === key).map((c) => (c[0] === 'SET' ? [c[0], c[1]!, ...c.slice(3)] : c));
    const oneDay = (commands: string[][]) => commands.map((c) => c.map((arg) => (arg === '86400' || arg === '86399' ? 'one day' : arg)));

    // Nothing changed (last seen was noted less than a minute ago): a touch.
    expect(oneDay(onRecord(await commandsDuring(async () => void (await laptop.get('/account')))))).toEqual([
      ['GET', key],
      ['EXPIRE', key, 'one day'],
    ]);
    // A visit to / counts one more: the whole record again, a plain SET (no NX, no XX).
    expect(oneDay(onRecord(await commandsDuring(async () => void (await laptop.get('/')))))).toEqual([
      ['GET', key],
      ['SET', key, 'EX', 'one day'],
    ]);
    await stop(app);
  });

  it('a request in flight when its device is revoked writes the record back; without the index check that device stays logged in, unlisted', async () => {
    // A page that waits until /release, and counts a visit as / does.
    const slow = `app.get('/slow', (req, res) => {
  req.session.visits = (req.session.visits || 0) + 1;
  console.log('slow: waiting');
  new Promise((resolve) => (globalThis.release = resolve)).then(() => res.send('done'));
});
app.get('/release', (req, res) => {
  globalThis.release();
  res.send('released');
});
app.use('/', indexRouter);`;
    const withSlow: [string, string] = ["app.use('/', indexRouter);", slow];

    /** The phone has /slow in flight while the laptop revokes it; then /slow ends. */
    async function revokeInFlight(dir: string) {
      await redis.client.flushAll();
      const app = await start(dir);
      const [laptop, phone] = [device(app, 'Laptop'), device(app, 'Phone')];
      for (const d of [laptop, phone]) await d.login();
      const sid = await phone.sid();
      const handle = await handleOf(laptop, phone);
      const inFlight = phone.get('/slow');
      for (let waited = 0; !app.process.log.some((l) => l.includes('slow: waiting')); waited += 20) {
        expect(waited, '/slow started').toBeLessThan(5000);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await laptop.post(`/sessions/${handle}/revoke`)).status).toBe(303);
      expect(await redis.client.exists(`sess:${sid}`), 'revoked: the record is gone').toBe(0);
      await fetch(`${app.url}/release`);
      expect((await inFlight).body).toBe('done');
      const writtenBack = await redis.client.exists(`sess:${sid}`);
      const phoneIs = await loggedInAs(phone);
      const listed = (await laptop.get('/account')).body.includes('<strong>Phone</strong>');
      const afterwards = await redis.client.exists(`sess:${sid}`);
      await stop(app);
      return { writtenBack, phoneIs, listed, afterwards };
    }

    const without = await revokeInFlight(await stepEdited(5, 'app.js', [withSlow, ['app.use(devices.seen);\n', '']]));
    expect(without).toEqual({ writtenBack: 1, phoneIs: 'ada', listed: false, afterwards: 1 });
    const solution = await revokeInFlight(await stepEdited(5, 'app.js', [withSlow]));
    expect(solution).toEqual({ writtenBack: 1, phoneIs: undefined, listed: false, afterwards: 0 });
  });
});
