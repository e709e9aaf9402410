// The runner's web server against the requests an attacker would send:
// DNS-rebinding Hosts, foreign and `null` Origins, a cross-site form POST
// without the token, and every spelling of `../`. Real server, real
// sockets, on a free port.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../runner/server/app.ts';
import { serveFolder } from '../runner/server/static.ts';
import { WorkshopState } from '../runner/state.ts';
import { rawRequest, type RawRequest } from './helpers/raw-http.ts';

let root: string;
let state: WorkshopState;
let ui: UiServer;
let port: number;
const token = 'test-token-0123456789abcdef';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workshop-security-'));
  state = await WorkshopState.load(token, { ...process.env, WORKSHOP_WORKSPACE: join(root, 'workspace'), WORKSHOP_STATE: join(root, 'state') });
  ui = await startUiServer(state, 0);
  port = ui.port;
});

afterAll(async () => {
  await ui?.close();
  await rm(root, { recursive: true, force: true });
});

const own = () => `http://127.0.0.1:${port}`;
const get = (path: string, headers: [string, string][] = [['Host', `127.0.0.1:${port}`]]) => rawRequest(port, { path, headers });

function post(path: string, headers: [string, string][], body = '{"on":false}') {
  return rawRequest(port, { method: 'POST', path, body, headers: [['Content-Type', 'application/json'], ...headers] });
}

describe('bind', () => {
  it('listens on 127.0.0.1 only', () => {
    const address = ui.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
  });
});

describe('Host header (DNS rebinding)', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST'])('answers Host %s with our port', async (host) => {
    const res = await get('/', [['Host', `${host}:${port}`], ['X-Workshop-Token', token]]);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<meta name="workshop-page-key"');
    expect(res.body).not.toContain(token);
  });

  const foreign = () => [
    `localhost.evil.example:${port}`,
    `127.0.0.1.nip.io:${port}`,
    `localhost.:${port}`,
    `localhost6:${port}`,
    `evil.example:${port}`,
    `127.0.0.1:${port + 1}`,
    '127.0.0.1',
    'localhost',
    `127.0.0.1:${port}.evil.example`,
    `0.0.0.0:${port}`,
    `127.1:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
  ];

  it('refuses every look-alike Host, for pages, files, the API and streams', async () => {
    for (const host of foreign()) {
      for (const path of ['/', '/ui/main.js', '/api/state', '/api/decks/step1/1', '/api/events']) {
        const res = await get(path, [['Host', host], ['X-Workshop-Token', token]]);
        expect(res.status, `${host} ${path}`).toBe(403);
        expect(res.body).not.toContain(token);
      }
    }
  });

  it('refuses a request with no Host at all', async () => {
    const http10 = await rawRequest(port, { path: '/', version: '1.0' });
    expect(http10.status).toBe(403);
    const http11 = await rawRequest(port, { path: '/' });
    expect([400, 403]).toContain(http11.status);
    expect(http11.body).not.toContain(token);
  });

  it('refuses WebSocket upgrades from a foreign Host or Origin', async () => {
    const upgrade = (host: string, origin: string): RawRequest => ({
      path: '/api/events',
      headers: [
        ['Host', host],
        ['Origin', origin],
        ['Upgrade', 'websocket'],
        ['Connection', 'Upgrade'],
        ['Sec-WebSocket-Version', '13'],
        ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ],
    });
    for (const host of foreign()) {
      const res = await rawRequest(port, upgrade(host, own()));
      expect(res.status, host).toBe(403);
    }
    const badOrigin = await rawRequest(port, upgrade(`127.0.0.1:${port}`, 'http://evil.example'));
    expect(badOrigin.status).toBe(403);
    const nullOrigin = await rawRequest(port, upgrade(`127.0.0.1:${port}`, 'null'));
    expect(nullOrigin.status).toBe(403);
  });
});

describe('Origin and token on state changes', () => {
  const host: [string, string] = ['Host', '127.0.0.1:PORT'];
  const h = (): [string, string] => [host[0], host[1].replace('PORT', String(port))];

  it('accepts our own origin with the token', async () => {
    for (const origin of [own(), `http://localhost:${port}`, `http://[::1]:${port}`]) {
      const res = await post('/api/watch', [h(), ['Origin', origin], ['X-Workshop-Token', token]]);
      expect(res.status, origin).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ watch: false });
    }
  });

  it.each([
    ['no Origin', undefined],
    ['Origin: null', 'null'],
    ['a foreign origin', 'http://evil.example'],
    ['a look-alike origin', 'http://127.0.0.1:PORT.evil.example'],
    ['https on our port', 'https://127.0.0.1:PORT'],
    ['another port', 'http://127.0.0.1:1'],
    ['an origin with a path', 'http://127.0.0.1:PORT/'],
    ['a rebinding name', 'http://localhost.evil.example:PORT'],
  ])('refuses %s even with the token', async (_name, origin) => {
    const headers: [string, string][] = [h(), ['X-Workshop-Token', token]];
    if (origin) headers.push(['Origin', origin.replace('PORT', String(port))]);
    const res = await post('/api/watch', headers, '{"on":true}');
    expect(res.status).toBe(403);
    expect(state.watch).toBe(false);
  });

  it('refuses our own origin without the token, or with a wrong one', async () => {
    for (const t of [undefined, '', 'x', token.slice(0, -1), token + 'x', token.toUpperCase()]) {
      const headers: [string, string][] = [h(), ['Origin', own()]];
      if (t !== undefined) headers.push(['X-Workshop-Token', t]);
      const res = await post('/api/watch', headers, '{"on":true}');
      expect(res.status, String(t)).toBe(403);
    }
    expect(state.watch).toBe(false);
  });

  it('refuses a cross-site form POST (cookies but no header) to every state-changing endpoint', async () => {
    for (const path of ['/api/verify', '/api/switch', '/api/restore', '/api/reset', '/api/skip', '/api/unskip', '/api/step', '/api/watch', '/api/open', '/api/files', '/api/apps/workspace/restart', '/api/redis/start']) {
      const res = await rawRequest(port, {
        method: 'POST',
        path,
        body: 'step=step3&name=x&file=%2Fetc%2Fpasswd',
        headers: [
          h(),
          ['Origin', 'http://evil.example'],
          ['Content-Type', 'application/x-www-form-urlencoded'],
          // The browser would send the learner's cookie with a cross-site form only if it were not SameSite=Strict; even so:
          ['Cookie', `token=${token}; workshop-${port}=${token}`],
          ['Referer', 'http://evil.example/attack.html'],
        ],
      });
      expect(res.status, path).toBe(403);
    }
    expect(state.progress.steps).toEqual({});
    expect(state.step.name).toBe('step1');
  });

  it('needs the token for the event stream, and our Origin when one is sent', async () => {
    const noToken = await rawRequest(port, { path: '/api/events', headers: [h()] });
    expect(noToken.status).toBe(403);
    const foreign = await rawRequest(port, { path: '/api/events', headers: [h(), ['X-Workshop-Token', token], ['Origin', 'http://evil.example']] });
    expect(foreign.status).toBe(403);
    const nul = await rawRequest(port, { path: '/api/events', headers: [h(), ['X-Workshop-Token', token], ['Origin', 'null']] });
    expect(nul.status).toBe(403);
    const ok = await rawRequest(port, { path: '/api/events', headers: [h(), ['X-Workshop-Token', token]], headOnly: true });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  it.each(['/api/events/', '/API/EVENTS', '/api/Events'])('gives no event stream without the token at %s either', async (path) => {
    const res = await rawRequest(port, { path, headers: [h()], headOnly: true });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers['content-type'] ?? '').not.toMatch(/event-stream/);
  });
});

describe('headers on every response', () => {
  it('sends a Content-Security-Policy and never Access-Control-Allow-Origin', async () => {
    const requests: RawRequest[] = [
      { path: '/', headers: [['Host', `127.0.0.1:${port}`]] },
      { path: '/ui/main.js', headers: [['Host', `127.0.0.1:${port}`]] },
      { path: '/ui/style.css', headers: [['Host', `localhost:${port}`], ['Origin', 'http://evil.example']] },
      { path: '/api/state', headers: [['Host', `127.0.0.1:${port}`], ['Origin', 'http://evil.example']] },
      { path: '/api/decks/step1/1', headers: [['Host', `127.0.0.1:${port}`]] },
      { path: '/nope', headers: [['Host', `127.0.0.1:${port}`]] },
      { path: '/', headers: [['Host', 'evil.example']] },
      {
        method: 'OPTIONS',
        path: '/api/verify',
        headers: [['Host', `127.0.0.1:${port}`], ['Origin', 'http://evil.example'], ['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'x-workshop-token']],
      },
    ];
    for (const req of requests) {
      const res = await rawRequest(port, req);
      expect(res.headers['content-security-policy'], req.path).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['access-control-allow-origin'], req.path).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('puts no external origin in the page: no CDN, no external fonts', async () => {
    for (const page of [await get('/'), await get('/', [['Host', `127.0.0.1:${port}`], ['X-Workshop-Token', token]])]) {
      expect(page.body).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    }
    const css = await get('/ui/style.css');
    expect(css.body).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
  });
});

describe('files only from the folders meant to be served', () => {
  const leaks = ['session-store-workshop', 'startUiServer', 'root:x:0:0', 'allowImportingTsExtensions'];
  const attacks = [
    '/ui/../app.ts',
    '/ui/../../../package.json',
    '/ui/%2e%2e/app.ts',
    '/ui/%2E%2E/%2E%2E/%2E%2E/package.json',
    '/ui/..%2fapp.ts',
    '/ui/..%2F..%2F..%2Fpackage.json',
    '/ui/%252e%252e/app.ts',
    '/ui/%252e%252e%252fapp.ts',
    '/ui/..%5capp.ts',
    '/ui/..\\app.ts',
    '/ui/%5c..%5c..%5cpackage.json',
    '//etc/passwd',
    '/ui//etc/passwd',
    '/ui/..#/app.ts',
    '/ui/%23/../app.ts',
    '/ui/main.js%00.png',
    '/ui/%00',
    '/ui/%c0%ae%c0%ae/app.ts',
    '/ui/%e0%80%ae%e0%80%ae/app.ts',
    '/ui/%',
    '/ui/./main.js',
    '/slides/img/..%2f..%2fpackage.json',
    '/slides/img/%2e%2e/step3.md',
    '/slides/img/../../tsconfig.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/api/decks/..%2f..%2fpackage.json',
    '/api/decks/%2e%2e',
    '/ui',
    '/ui/',
  ];

  it.each(attacks)('%s ends in 4xx without leaking a file', async (path) => {
    const res = await get(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    for (const leak of leaks) expect(res.body).not.toContain(leak);
  });

  it('still serves the files that are meant to be served', async () => {
    const js = await get('/ui/main.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const img = await get('/slides/img/session-visits.png', [['Host', `127.0.0.1:${port}`], ['X-Workshop-Token', token]]);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
  });

  it('does not follow a symlink out of a served folder', async () => {
    const served = join(root, 'served');
    await mkdir(served, { recursive: true });
    await writeFile(join(root, 'secret.txt'), 'root:x:0:0 secret');
    await writeFile(join(served, 'ok.txt'), 'fine');
    await symlink(join(root, 'secret.txt'), join(served, 'link.txt'));
    await symlink(root, join(served, 'up'));
    const app = express().use('/files', serveFolder(served));
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const p = (server.address() as { port: number }).port;
    try {
      const ok = await rawRequest(p, { path: '/files/ok.txt', headers: [['Host', 'x']] });
      expect(ok.status).toBe(200);
      expect(ok.body).toBe('fine');
      for (const path of ['/files/link.txt', '/files/up/secret.txt']) {
        const res = await rawRequest(p, { path, headers: [['Host', 'x']] });
        expect(res.status, path).toBe(403);
        expect(res.body).not.toContain('secret');
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
