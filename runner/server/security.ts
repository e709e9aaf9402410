// The runner's guards, as pure functions where they can be: which Host and
// Origin we answer, the token that lets only the learner in, the
// Content-Security-Policy, and the one way a URL path becomes a file path.
//
// The model is today's careful local dev servers: Vite's allowedHosts after
// CVE-2025-24010 (DNS rebinding), webpack-dev-server after CVE-2025-30359/
// 30360 (cross-site reads), and Jupyter's token: in the link the runner
// prints and opens, then in a cookie, and nothing answers without it (any
// process of any user of the machine can reach 127.0.0.1).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

/** A fresh token: 192 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** What a token looks like (newToken's output); anything else in a token file is not ours. */
export const tokenShape = /^[A-Za-z0-9_-]{32}$/;

/**
 * The cookie that holds the token. Cookies ignore ports: every server on
 * 127.0.0.1 shares one jar, so the name carries the port, and two runners
 * (two workshops) of one learner keep a cookie each.
 */
export const cookieNameFor = (port: number) => `workshop-${port}`;

/**
 * The page's own key, derived from the token: the page sends it in a header
 * on every change, proving the request comes from a script of ours (a form
 * or a link on another site can carry a cookie, never a header). The page
 * can read it; the token itself stays in the HttpOnly cookie, out of reach
 * of any script.
 */
export function pageKeyOf(token: string): string {
  return createHmac('sha256', token).update('workshop page key').digest('base64url');
}

/** Compares in constant time, so the token can't be guessed a byte at a time. */
export function tokensEqual(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The verdict; an accepted request also says whether it carries the token (the public page shows the workshop only then). */
export type RequestCheck = { ok: true; hasToken: boolean } | { ok: false; status: number; message: string };

export interface RequestFacts {
  host: string | undefined;
  /** The request line's target, as sent: `/api/state`, or the absolute form `http://host/path`. */
  target: string;
  origin: string | undefined;
  /** The token from the cookie (a browser). */
  cookieToken: string | undefined;
  /** The token from the X-Workshop-Token header (a script, a test). */
  headerToken: string | undefined;
  /** The page's key from the X-Workshop-Page header. */
  pageKey: string | undefined;
  /** POST, PUT, DELETE, …: anything that changes state. */
  changesState: boolean;
  /** A stream (SSE) or an upgrade: checked like a state change except that a missing Origin is allowed. */
  isStream: boolean;
  /** The page that says to open the link, and its static files: all anyone may see without the token. */
  isPublic: boolean;
}

/** The path of a request target, origin-form or absolute-form; undefined when it is neither. */
export function targetPath(target: string): string | undefined {
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q < 0 ? target : target.slice(0, q);
  }
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}

/**
 * The host a request names: the absolute-form target's (`GET http://evil.example/`,
 * which a server must prefer to the Host header), else the Host header.
 * `*` and anything else unparsable name no host we answer.
 */
function namedHost(facts: RequestFacts): string | undefined {
  if (facts.target.startsWith('/')) return facts.host;
  try {
    const url = new URL(facts.target);
    return url.protocol === 'http:' && !url.username && !url.password ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/** What to do without the token, in one sentence: the link, and how to get it again. */
export const lockedMessage =
  'Blocked: this workshop answers only the browser that opened its link. Open the link the terminal printed when the workshop started (it ends in ?token=…); running the same command again in the workshop folder prints it again.';

/**
 * The whole decision for one request. Every request needs our Host (the
 * absolute form's included). Everything but the public page needs the
 * token, in the cookie or the X-Workshop-Token header: reads too, since any
 * user of the machine can send them. A state change also needs our Origin
 * and a header only our page or a script can send (the token, or the page's
 * key). A stream needs the same, except that a missing Origin is allowed
 * (browsers leave it out of same-origin GETs).
 */
export function checkRequest(facts: RequestFacts, port: number, token: string): RequestCheck {
  if (!isAllowedHost(namedHost(facts), port)) {
    return { ok: false, status: 403, message: 'Blocked: this host is not allowed. Open the workshop at http://127.0.0.1:' + port + '/' };
  }
  const hasToken = tokensEqual(facts.cookieToken, token) || tokensEqual(facts.headerToken, token);
  if (facts.isPublic && !facts.changesState && !facts.isStream) return { ok: true, hasToken };
  if (!hasToken) return { ok: false, status: 403, message: lockedMessage };
  if (facts.changesState || facts.isStream) {
    const originMissingOk = facts.isStream && facts.origin === undefined;
    if (!originMissingOk && !isSameOrigin(facts.origin, port)) {
      return { ok: false, status: 403, message: 'Blocked: this request did not come from the workshop page.' };
    }
    if (!tokensEqual(facts.headerToken, token) && !tokensEqual(facts.pageKey, pageKeyOf(token))) {
      return { ok: false, status: 403, message: 'Blocked: this request did not come from the workshop page. Reload the page.' };
    }
  }
  return { ok: true, hasToken };
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
