// The runner's guards, as pure functions where they can be: which Host and
// Origin we answer, the per-run token, the Content-Security-Policy, and the
// one way a URL path becomes a file path.
//
// The model is today's careful local dev servers: Vite's allowedHosts after
// CVE-2025-24010 (DNS rebinding), webpack-dev-server after CVE-2025-30359/
// 30360 (cross-site reads), Jupyter's token and XSRF checks.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** The names a browser on this machine uses for us; nothing that DNS could point elsewhere. */
const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * True only for `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT`. A
 * missing Host, another port, a trailing dot (`localhost.`), `localhost6`
 * and every `*.localhost.evil.example` style name are refused: a page on
 * another site that rebinds its own name to 127.0.0.1 still sends its name.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return loopbackNames.some((name) => h === `${name}:${port}`);
}

/**
 * True when `origin` is exactly one of our own origins (`http://127.0.0.1:PORT`
 * and its two loopback spellings). `null` (sandboxed frames, file: pages,
 * some redirects), other schemes, ports and hosts are refused. The text must
 * also be exactly the serialised origin: no path, no userinfo, no trailing slash.
 */
export function isSameOrigin(origin: string | undefined, port: number): boolean {
  if (!origin || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && url.origin === origin.toLowerCase() && isAllowedHost(url.host, port);
}

/** A fresh token for this run of the runner. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compares in constant time, so the token can't be guessed a byte at a time. */
export function tokensEqual(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type RequestCheck = { ok: true } | { ok: false; status: number; message: string };

export interface RequestFacts {
  host: string | undefined;
  origin: string | undefined;
  token: string | undefined;
  /** POST, PUT, DELETE, …: anything that changes state. */
  changesState: boolean;
  /** A stream (SSE) or an upgrade: checked like a state change except that a missing Origin is allowed. */
  isStream: boolean;
}

/**
 * The whole decision for one request. Every request needs our Host. A
 * state change needs our Origin and the token (in a header: a cross-site
 * form can send cookies but never headers). A stream needs the token, and
 * an Origin, when the browser sends one, that is ours (browsers leave it
 * out of same-origin GETs).
 */
export function checkRequest(facts: RequestFacts, port: number, token: string): RequestCheck {
  if (!isAllowedHost(facts.host, port)) {
    return { ok: false, status: 403, message: 'Blocked: this host is not allowed. Open the workshop at http://127.0.0.1:' + port + '/' };
  }
  if (facts.changesState || facts.isStream) {
    const originMissingOk = facts.isStream && facts.origin === undefined;
    if (!originMissingOk && !isSameOrigin(facts.origin, port)) {
      return { ok: false, status: 403, message: 'Blocked: this request did not come from the workshop page.' };
    }
    if (!tokensEqual(facts.token, token)) {
      return { ok: false, status: 403, message: 'Blocked: the workshop token is missing or wrong. Reload the workshop page.' };
    }
  }
  return { ok: true };
}

/**
 * The policy for every page: our own scripts and styles only (no CDN, no
 * inline script), frames only to the apps we run, nobody may frame us.
 * Inline style *attributes* are allowed because decks use them (the seed's
 * positioned images); scripts stay strict.
 */
export function contentSecurityPolicy(framePorts: readonly number[]): string {
  const frames = framePorts.flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src ${frames.length ? frames.join(' ') : "'none'"}`,
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

export type Resolved = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * The first half of serving a file, without touching the disk: the raw URL
 * path (still percent-encoded, query removed) becomes a relative path, or is
 * refused. Decoded exactly once; anything that could mean "go up" or that a
 * second decoder could turn into it is refused rather than cleaned up.
 */
export function decodeUrlPath(rawPath: string): { ok: true; path: string } | { ok: false; status: 400; reason: string } {
  const bad = (reason: string) => ({ ok: false as const, status: 400 as const, reason });
  if (rawPath.includes('#')) return bad('a fragment is never part of a file path');
  if (rawPath.includes('\\')) return bad('backslash');
  if (rawPath.includes('//')) return bad('empty path segment');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return bad('bad percent-encoding');
  }
  if (decoded.includes('\0')) return bad('NUL byte');
  if (decoded.includes('\\')) return bad('backslash');
  // `%252e` decodes once to `%2e`: a name no file of ours has, and one a
  // second decoder would turn into a dot. Refuse rather than guess.
  if (decoded.includes('%')) return bad('percent sign after decoding');
  const segments = decoded.replace(/^\/+/, '').split('/');
  if (segments.some((s) => s === '..' || s === '.')) return bad('dot segment');
  if (segments.some((s) => s === '') && decoded !== '/' && !decoded.endsWith('/')) return bad('empty path segment');
  return { ok: true, path: segments.filter(Boolean).join('/') };
}

/** True when `child` is `root` itself or lies inside it. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * The real file for a raw URL path under `root`, or why not. Symlinks are
 * followed and the real path must still be inside the real root.
 */
export async function safeResolve(root: string, rawPath: string): Promise<Resolved> {
  const decoded = decodeUrlPath(rawPath);
  if (!decoded.ok) return decoded;
  if (!decoded.path) return { ok: false, status: 404, reason: 'no file named' };
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(resolve(realRoot, decoded.path));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!isInside(realRoot, real) || real === realRoot) return { ok: false, status: 403, reason: 'outside the served folder' };
  return { ok: true, file: real };
}
