// What the decks say the libraries do, shown with the libraries themselves:
// real apps as child processes, a real redis-server, no mocks. Claims that
// no test here shows carry a link on their slide to the library's own
// README, changelog or docs.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChild } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { startRedisServer } from '../runner/redis.ts';
import { visitor } from './helpers/app.ts';
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
