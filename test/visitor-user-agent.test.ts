// A visitor can be a device of its own: ctx.visitor({ userAgent }) sends its
// User-Agent on every request (redirects followed and forms submitted
// included), a visitor held by its Cookie header sends the one it is given,
// and a visitor without one sends none, as before.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerifyContext } from '../runner/verify/context.ts';
import type { RunningApp } from '../runner/verify/harness.ts';
import { Scope } from '../runner/process/scope.ts';

let server: Server;
let app: RunningApp;
/** The User-Agent of every request the app got, in order ('-' for none). */
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers['user-agent'] ?? '-');
    if (req.url === '/go') {
      res.writeHead(303, { location: '/here' }).end();
      return;
    }
    if (req.url === '/form') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<form method="post" action="/post"><input type="hidden" name="t" value="1"></form>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers['user-agent'] ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // Only what a request needs of a started app: where it listens.
  app = { port, base: `http://127.0.0.1:${port}` } as RunningApp;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const context = () => new VerifyContext({ step: 'test', app: { dir: '.', entry: 'app.js' }, timeoutMs: 5000, env: {}, scope: new Scope() });

describe('ctx.visitor({ userAgent })', () => {
  it('sends each visitor its own User-Agent, on every request', async () => {
    const ctx = context();
    const phone = ctx.visitor({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)' });
    const laptop = ctx.visitor({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' });
    const [a, b] = await Promise.all([ctx.visit(phone, app, '/'), ctx.visit(laptop, app, '/')]);
    expect(a.body).toBe(phone.userAgent);
    expect(b.body).toBe(laptop.userAgent);
    seen.length = 0;
    await ctx.send(phone, app, { path: '/go', method: 'POST', form: { x: '1' }, follow: true });
    await ctx.submit(laptop, app, { page: '/form', action: '/post', fields: {} });
    expect(seen).toEqual([phone.userAgent, phone.userAgent, laptop.userAgent, laptop.userAgent]);
  });

  it('sends the User-Agent of a visitor held by its Cookie header, and none for a visitor without one', async () => {
    const ctx = context();
    expect((await ctx.visit({ cookie: 'a=1', userAgent: 'Held/1.0' }, app, '/')).body).toBe('Held/1.0');
    seen.length = 0;
    await ctx.visit(ctx.visitor(), app, '/');
    await ctx.visit({ cookie: 'a=1' }, app, '/');
    expect(seen).toEqual(['-', '-']);
  });

  it('lets a request\'s own headers override it', async () => {
    const ctx = context();
    const page = await ctx.send(ctx.visitor({ userAgent: 'Device/1.0' }), app, { path: '/', headers: { 'user-agent': 'Other/2.0' } });
    expect(page.body).toBe('Other/2.0');
  });
});
