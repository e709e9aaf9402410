// The step apps honour the learner-app contract (docs/contract.md), run for real.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/repo.ts';
import { startApp, visitor, type RunningApp } from './helpers/app.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { freePort } from '../runner/process/ports.ts';
import { startChild } from '../runner/process/child.ts';

const dir = (name: string) => join(repoRoot, 'steps', name);

async function expectStylesheet(app: RunningApp) {
  const res = await fetch(`${app.url}/stylesheets/style.css`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/css/);
}

describe('steps/start', () => {
  it('answers "Hello" on the port it is given', async () => {
    const app = await startApp(dir('start'));
    try {
      const res = await fetch(app.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('Hello');
    } finally {
      await app.stop();
    }
  });
});

describe('steps/step1', () => {
  it('renders an HTML page with an <h1> and serves the stylesheet', async () => {
    const app = await startApp(dir('step1'));
    try {
      const res = await visitor().get(app.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.body).toMatch(/<h1>[^<]+<\/h1>/);
      await expectStylesheet(app);
    } finally {
      await app.stop();
    }
  });
});

describe('steps/step2', () => {
  let app: RunningApp;
  beforeAll(async () => void (app = await startApp(dir('step2'))));
  afterAll(() => app.stop());

  it('welcomes a new visitor and sets a signed HttpOnly cookie', async () => {
    const res = await visitor().get(app.url);
    expect(res.body).toContain('Welcome');
    expect(res.body).not.toContain('Welcome back');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('firstVisit='));
    expect(cookie).toMatch(/^firstVisit=s%3A/);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  it('welcomes a returning visitor back', async () => {
    const v = visitor();
    await v.get(app.url);
    expect((await v.get(app.url)).body).toContain('Welcome back');
  });

  it('treats a forged or unsigned cookie as a new visitor', async () => {
    const v = visitor();
    const first = await v.get(app.url);
    const signed = first.headers.getSetCookie()[0]!.split(';')[0]!;
    const forged = signed.slice(0, -3) + (signed.endsWith('AAA') ? 'BBB' : 'AAA');
    for (const cookie of [forged, 'firstVisit=2020-01-01T00:00:00.000Z']) {
      const res = await fetch(app.url, { headers: { cookie } });
      const body = await res.text();
      expect(body).toContain('Welcome');
      expect(body).not.toContain('Welcome back');
    }
  });
});

describe('steps/step3', () => {
  let redis: ThrowawayRedis;
  let app: RunningApp;
  const env = () => ({ REDIS_URL: redis.url, SESSION_SECRET: 'test secret' });
  const visits = (body: string) => Number(/visited this page (\d+) time/.exec(body)?.[1]);

  beforeAll(async () => {
    redis = await throwawayRedis();
    app = await startApp(dir('step3'), env());
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.dispose();
  });

  it('counts visits per session: 1, 2, 3, and a new visitor starts at 1', async () => {
    const v = visitor();
    expect(visits((await v.get(app.url)).body)).toBe(1);
    expect(visits((await v.get(app.url)).body)).toBe(2);
    expect(visits((await v.get(app.url)).body)).toBe(3);
    expect(visits((await visitor().get(app.url)).body)).toBe(1);
  });

  it('keeps the count in Redis, in a session record that holds the number', async () => {
    const v = visitor();
    await v.get(app.url);
    await v.get(app.url);
    const sid = decodeURIComponent((await v.jar.getCookies(app.url)).find((c) => c.key === 'connect.sid')!.value);
    const id = /^s:([^.]+)\./.exec(sid)![1];
    const record = JSON.parse((await redis.client.get(`sess:${id}`))!);
    expect(record.visits).toBe(2);
    expect(await redis.client.ttl(`sess:${id}`)).toBeGreaterThan(0);
  });

  it('sets an HttpOnly session cookie', async () => {
    const res = await visitor().get(app.url);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('connect.sid='))).toMatch(/HttpOnly/i);
  });

  it('goes on counting after a restart, and on a second instance', async () => {
    const v = visitor();
    await v.get(app.url);
    await v.get(app.url);
    await app.stop();
    app = await startApp(dir('step3'), env());
    expect(visits((await v.get(app.url)).body)).toBe(3);

    const second = await startApp(dir('step3'), env());
    try {
      expect(visits((await v.get(second.url)).body)).toBe(4);
      expect(visits((await v.get(app.url)).body)).toBe(5);
    } finally {
      await second.stop();
    }
  });

  it('creates no session and sets no cookie for a static file', async () => {
    const before = await redis.client.dbSize();
    const res = await fetch(`${app.url}/stylesheets/style.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await redis.client.dbSize()).toBe(before);
  });

  it('exits with one clear line when Redis cannot be reached at start', async () => {
    const port = await freePort();
    const child = startChild(process.execPath, ['app.js'], {
      cwd: dir('step3'),
      env: { ...process.env, PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${port}`, SESSION_SECRET: 'x' },
    });
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    const errors = child.log.filter((l) => l.trim());
    expect(errors).toEqual([expect.stringMatching(/^Cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*redis-server.*REDIS_URL/)]);
  });

  it('warns once when SESSION_SECRET is not set', async () => {
    const other = await startApp(dir('step3'), { REDIS_URL: redis.url, SESSION_SECRET: '' });
    try {
      expect(other.process.log.filter((l) => /SESSION_SECRET/.test(l))).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});
