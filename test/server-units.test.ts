// The pure parts of the web UI's server: host and origin rules, the token,
// the CSP, URL path decoding, the inspector's view of Redis values, file
// references for "open in editor", and where a returning learner resumes.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  decodeUrlPath,
  isAllowedHost,
  isInside,
  isSameOrigin,
  checkRequest,
  pageKeyOf,
  targetPath,
  type RequestFacts,
  safeResolve,
  tokensEqual,
} from '../runner/server/security.ts';
import { commonPrefix, sessionJson, shellQuote, toEntry, cliCommand } from '../runner/server/inspector.ts';
import { openableFile, parseFileRef, resolveFileRef } from '../runner/server/editor.ts';
import { sseFrame } from '../runner/server/events.ts';
import { firstOpenStep } from '../runner/state.ts';
import { steps } from '../runner/steps.ts';
import { isIgnoredChange } from '../runner/changes.ts';
import { readStoredDeck, sourcesKey, writeStoredDeck } from '../runner/server/deck-store.ts';
import type { RenderedDeck } from '../runner/deck/render.ts';

describe('isAllowedHost', () => {
  it('allows the three loopback names with our port', () => {
    for (const h of ['127.0.0.1:4000', 'localhost:4000', '[::1]:4000', 'LocalHost:4000']) expect(isAllowedHost(h, 4000)).toBe(true);
  });
  it('refuses everything else', () => {
    for (const h of [undefined, '', 'localhost', '127.0.0.1', 'localhost:4001', 'localhost.:4000', 'localhost6:4000', 'localhost.evil.example:4000',
      '127.0.0.1.nip.io:4000', 'evil.example:4000', '[::1]', '::1:4000', '127.0.0.1:4000 ', ' 127.0.0.1:4000', '127.0.0.1:04000', 'user@127.0.0.1:4000']) {
      expect(isAllowedHost(h, 4000), String(h)).toBe(false);
    }
  });
});

describe('isSameOrigin', () => {
  it('accepts exactly our origins', () => {
    for (const o of ['http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000']) expect(isSameOrigin(o, 4000)).toBe(true);
  });
  it('refuses null, foreign, look-alike and malformed origins', () => {
    for (const o of [undefined, '', 'null', 'http://evil.example', 'https://127.0.0.1:4000', 'http://127.0.0.1:4001', 'http://127.0.0.1',
      'http://127.0.0.1:4000/', 'http://127.0.0.1:4000/x', 'http://u:p@127.0.0.1:4000', 'http://localhost.:4000', 'http://127.0.0.1:4000.evil.example',
      'file://', 'ws://127.0.0.1:4000', 'not a url']) {
      expect(isSameOrigin(o, 4000), String(o)).toBe(false);
    }
  });
});

describe('tokens and the request check', () => {
  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    for (const t of [undefined, '', 'ab', 'abcd', 'ABC']) expect(tokensEqual(t, 'abc')).toBe(false);
  });
  const token = 'the-token';
  const base: RequestFacts = {
    host: '127.0.0.1:4000',
    target: '/api/watch',
    origin: 'http://127.0.0.1:4000',
    cookieToken: undefined,
    headerToken: token,
    pageKey: undefined,
    changesState: true,
    isStream: false,
    isPublic: false,
  };
  const read: RequestFacts = { ...base, target: '/api/state', origin: undefined, headerToken: undefined, changesState: false };
  it('lets anyone see only the public page, and reads need the token in the cookie or the header', () => {
    expect(checkRequest({ ...read, target: '/', isPublic: true }, 4000, token).ok).toBe(true);
    expect(checkRequest(read, 4000, token)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ ...read, cookieToken: token }, 4000, token).ok).toBe(true);
    expect(checkRequest({ ...read, headerToken: token }, 4000, token).ok).toBe(true);
    for (const wrong of ['', 'x', token.slice(0, -1), `${token}x`, token.toUpperCase(), pageKeyOf(token)]) {
      expect(checkRequest({ ...read, cookieToken: wrong }, 4000, token).ok, wrong).toBe(false);
      expect(checkRequest({ ...read, headerToken: wrong }, 4000, token).ok, wrong).toBe(false);
    }
  });
  it('needs Origin and a header of ours for state changes: the token, or the cookie with the page key', () => {
    expect(checkRequest(base, 4000, token).ok).toBe(true);
    expect(checkRequest({ ...base, origin: undefined }, 4000, token).ok).toBe(false);
    expect(checkRequest({ ...base, headerToken: 'u' }, 4000, token).ok).toBe(false);
    const page = { ...base, headerToken: undefined, cookieToken: token };
    expect(checkRequest({ ...page, pageKey: pageKeyOf(token) }, 4000, token).ok).toBe(true);
    // The cookie alone is what a cross-site form would carry: never enough to change anything.
    expect(checkRequest(page, 4000, token).ok).toBe(false);
    expect(checkRequest({ ...page, pageKey: pageKeyOf('another-token') }, 4000, token).ok).toBe(false);
    expect(checkRequest({ ...page, pageKey: token }, 4000, token).ok).toBe(false);
    // The page key is no token: it gets nothing without the cookie.
    expect(checkRequest({ ...base, headerToken: undefined, pageKey: pageKeyOf(token) }, 4000, token).ok).toBe(false);
    const stream = { ...base, target: '/api/events', changesState: false, isStream: true };
    expect(checkRequest({ ...stream, origin: undefined }, 4000, token).ok).toBe(true);
    expect(checkRequest({ ...stream, origin: 'null' }, 4000, token).ok).toBe(false);
    expect(checkRequest({ ...stream, headerToken: undefined }, 4000, token).ok).toBe(false);
    // A public path is public for reads only: never a stream, never a change, whatever the path.
    expect(checkRequest({ ...stream, isPublic: true, headerToken: undefined }, 4000, token).ok).toBe(false);
    expect(checkRequest({ ...base, target: '/', isPublic: true, headerToken: undefined }, 4000, token).ok).toBe(false);
    // An accepted request says whether it carries the token: the public page shows the workshop only then.
    expect(checkRequest({ ...read, target: '/', isPublic: true }, 4000, token)).toEqual({ ok: true, hasToken: false });
    expect(checkRequest({ ...read, target: '/', isPublic: true, cookieToken: token }, 4000, token)).toEqual({ ok: true, hasToken: true });
  });
  it('judges the host an absolute-form request line names, not only the Host header', () => {
    expect(checkRequest({ ...read, headerToken: token, target: 'http://127.0.0.1:4000/api/state' }, 4000, token).ok).toBe(true);
    for (const target of ['http://evil.example/', 'http://evil.example:4000/api/state', 'http://127.0.0.1:4001/', 'https://127.0.0.1:4000/', 'http://u:p@127.0.0.1:4000/', '*', 'evil.example:443']) {
      expect(checkRequest({ ...read, headerToken: token, isPublic: true, target }, 4000, token), target).toMatchObject({ ok: false, status: 403 });
    }
    expect(targetPath('/api/state?x=1')).toBe('/api/state');
    expect(targetPath('http://127.0.0.1:4000/ui/main.js?x')).toBe('/ui/main.js');
    expect(targetPath('*')).toBeUndefined();
  });
});

describe('contentSecurityPolicy', () => {
  it('allows our scripts only, and frames only to the app ports', () => {
    const csp = contentSecurityPolicy([5001]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain('frame-src http://127.0.0.1:5001 http://localhost:5001');
    expect(contentSecurityPolicy([])).toContain("frame-src 'none'");
  });
});

describe('decodeUrlPath', () => {
  it('decodes once to a relative path', () => {
    expect(decodeUrlPath('/main.js')).toEqual({ ok: true, path: 'main.js' });
    expect(decodeUrlPath('/img/a%20b.png')).toEqual({ ok: true, path: 'img/a b.png' });
  });
  it.each(['/%2e%2e/x', '/..%2fx', '/%252e%252e/x', '/..%5cx', '/a\\b', '//x', '/a#b', '/a%00', '/%', '/%c0%ae', '/./x', '/a/../b'])('refuses %s', (p) => {
    expect(decodeUrlPath(p).ok).toBe(false);
  });
});

describe('safeResolve', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'workshop-safe-'));
    await mkdir(join(root, 'pub', 'sub'), { recursive: true });
    await writeFile(join(root, 'pub', 'sub', 'a.txt'), 'a');
    await writeFile(join(root, 'secret'), 's');
    await symlink(join(root, 'secret'), join(root, 'pub', 'out'));
    await symlink(join(root, 'pub', 'sub', 'a.txt'), join(root, 'pub', 'in'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('finds files inside, also through a symlink that stays inside', async () => {
    expect(await safeResolve(join(root, 'pub'), '/sub/a.txt')).toEqual({ ok: true, file: join(root, 'pub', 'sub', 'a.txt') });
    expect(await safeResolve(join(root, 'pub'), '/in')).toEqual({ ok: true, file: join(root, 'pub', 'sub', 'a.txt') });
  });
  it('refuses a symlink out, a missing file and the folder itself', async () => {
    expect(await safeResolve(join(root, 'pub'), '/out')).toMatchObject({ ok: false, status: 403 });
    expect(await safeResolve(join(root, 'pub'), '/nope')).toMatchObject({ ok: false, status: 404 });
    expect(await safeResolve(join(root, 'pub'), '/')).toMatchObject({ ok: false });
  });
  it('knows inside from outside', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
  });
});

describe('inspector', () => {
  it('recognises what express-session stores', () => {
    expect(sessionJson('{"cookie":{"originalMaxAge":1},"visits":2}')).toEqual({ cookie: { originalMaxAge: 1 }, visits: 2 });
    for (const v of [null, '', 'hello', '{"visits":2}', '{"cookie":1}', '[{"cookie":{}}]', '{bad json']) expect(sessionJson(v)).toBeUndefined();
  });
  it('pretty-prints the value and gives the redis-cli commands', () => {
    const e = toEntry('sess:abc', '{"cookie":{},"visits":3}', 86_399_500, 'redis-cli -p 6380');
    expect(e).toEqual({ key: 'sess:abc', ttl: 86400, value: '{\n  "cookie": {},\n  "visits": 3\n}', cli: 'redis-cli -p 6380 GET sess:abc  &&  redis-cli -p 6380 TTL sess:abc' });
    expect(toEntry('k', '{"cookie":{}}', -1, 'redis-cli')?.ttl).toBe(-1);
  });
  it('quotes keys for the shell', () => {
    expect(shellQuote('sess:abc-1')).toBe('sess:abc-1');
    expect(shellQuote("it's <b>")).toBe(`'it'\\''s <b>'`);
    expect(cliCommand('redis-cli', '--scan', '--pattern', 'sess:*')).toBe("redis-cli --scan --pattern 'sess:*'");
  });
  it('finds the prefix the learner chose', () => {
    expect(commonPrefix(['sess:a', 'sess:b'])).toBe('sess:');
    expect(commonPrefix(['myapp:sess:aa', 'myapp:sess:ab'])).toBe('myapp:sess:');
    expect(commonPrefix(['abc'])).toBe('');
    expect(commonPrefix([])).toBe('');
  });
});

describe('file references', () => {
  it('parses path, line and column', () => {
    expect(parseFileRef('workspace/app.js:12')).toEqual({ path: 'workspace/app.js', line: 12 });
    expect(parseFileRef('routes/index.js:3:7')).toEqual({ path: 'routes/index.js', line: 3, column: 7 });
    expect(parseFileRef('app.js')).toEqual({ path: 'app.js' });
    expect(parseFileRef('')).toBeUndefined();
  });
  it('resolves only to files of the workspace, the steps and the slides: no dotfile, no dependency', async () => {
    const root = await mkdtemp(join(tmpdir(), 'workshop-ref-'));
    try {
      const ws = join(root, 'ws');
      const repo = join(root, 'repo');
      for (const dir of [ws, join(ws, '.vscode'), join(ws, 'node_modules', '.bin'), join(repo, '.git'), join(repo, 'steps', 'step1'), join(repo, 'slides'), join(repo, 'node_modules', '.bin')]) await mkdir(dir, { recursive: true });
      for (const file of ['ws/app.js', 'ws/.env', 'ws/.vscode/settings.json', 'ws/node_modules/.bin/x', 'secret.js', 'repo/.git/config', 'repo/package.json', 'repo/steps/step1/app.js', 'repo/slides/step1.md', 'repo/node_modules/.bin/workshop']) {
        await writeFile(join(root, file), 'one\ntwo\nthree\n');
      }
      await symlink(join(root, 'secret.js'), join(ws, 'link.js'));
      await symlink(join(repo, '.git', 'config'), join(repo, 'slides', 'config.md'));
      const roots = { workspace: ws, repo, open: [ws, join(repo, 'steps', 'step1'), join(repo, 'slides')] };
      expect(await resolveFileRef({ path: 'workspace/app.js' }, roots)).toBe(join(ws, 'app.js'));
      expect(await resolveFileRef({ path: 'app.js' }, roots)).toBe(join(ws, 'app.js'));
      expect(await resolveFileRef({ path: 'steps/step1/app.js' }, roots)).toBe(join(repo, 'steps', 'step1', 'app.js'));
      expect(await resolveFileRef({ path: 'slides/step1.md' }, roots)).toBe(join(repo, 'slides', 'step1.md'));
      for (const path of ['../secret.js', join(root, 'secret.js'), 'link.js', '.git/config', 'package.json', 'node_modules/.bin/workshop', 'workspace/.env',
        '.vscode/settings.json', 'node_modules/.bin/x', 'slides/config.md', 'slides', 'workspace/']) {
        expect(await resolveFileRef({ path }, roots), path).toBeUndefined();
      }
      // At a line the file has, and no other.
      const ok = (text: string) => openableFile(parseFileRef(text)!, roots);
      expect(await ok('workspace/app.js:3')).toBe(join(ws, 'app.js'));
      expect(await ok('workspace/app.js:1:1')).toBe(join(ws, 'app.js'));
      for (const text of ['workspace/app.js:4', 'workspace/app.js:0', 'workspace/app.js:100000000000000000000000', 'workspace/app.js:2:1000000']) {
        expect(await ok(text), text).toBeUndefined();
      }
      expect(parseFileRef('workspace/app.js:1e+23')).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('odds and ends', () => {
  it('frames an SSE event on one data line', () => {
    expect(sseFrame('log', { text: 'a\nb' })).toBe('event: log\ndata: {"text":"a\\nb"}\n\n');
  });
  it('resumes at the first step neither passed nor skipped', () => {
    expect(firstOpenStep({ steps: {} }).name).toBe('step1');
    expect(firstOpenStep({ steps: { step1: { status: 'passed', at: '' }, step2: { status: 'skipped', at: '' } } }).name).toBe('step3');
    // Every step passed: the last one.
    const all = Object.fromEntries(steps().map((s) => [s.name, { status: 'passed' as const, at: '' }]));
    expect(firstOpenStep({ steps: all }).name).toBe(steps().at(-1)!.name);
  });
  it('ignores editor swap files and dependencies when watching', () => {
    for (const p of ['/w/.app.js.swp', '/w/app.js~', '/w/.#app.js', '/w/4913', '/w/node_modules/x/index.js', '/w/.git/HEAD', '/w/#app.js#']) expect(isIgnoredChange(p, '/w'), p).toBe(true);
    for (const p of ['/w/app.js', '/w/views/index.pug', '/w/package.json']) expect(isIgnoredChange(p, '/w'), p).toBe(false);
  });

  it('keeps a rendered deck only for the very same sources', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'workshop-store-'));
    try {
      const src = join(dir, 'src');
      await mkdir(join(src, 'node_modules'), { recursive: true });
      await writeFile(join(src, 'step1.md'), '# One');
      const key = await sourcesKey([src]);
      expect(await sourcesKey([src])).toBe(key);
      await writeFile(join(src, 'node_modules', 'x.js'), 'ignored');
      expect(await sourcesKey([src])).toBe(key);
      const deck = { name: 'step1', file: 'slides/step1.md', title: 'One', slides: [], problems: [] } as RenderedDeck;
      await writeStoredDeck('step1', key, deck, join(dir, 'store'));
      expect(await readStoredDeck('step1', key, join(dir, 'store'))).toEqual(deck);
      await writeFile(join(src, 'step1.md'), '# One, edited');
      const changed = await sourcesKey([src]);
      expect(changed).not.toBe(key);
      expect(await readStoredDeck('step1', changed, join(dir, 'store'))).toBeUndefined();
      expect(await readStoredDeck('step2', key, join(dir, 'store'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
