// HTTP as a browser would do it, for the checks: GET with a cookie jar
// (tough-cookie) that keeps what the app sets, plus raw requests with a
// hand-made Cookie header for forged and unsigned cookies.
import { request } from 'node:http';
import type { CookieJar } from 'tough-cookie';
import { parseSetCookie, type SetCookie } from './cookies.ts';

export interface Page {
  url: string;
  status: number;
  contentType: string;
  body: string;
  setCookies: SetCookie[];
  ms: number;
}

const MAX_BODY = 512 * 1024;

/** One GET, no keep-alive (so no socket outlives the check), bounded in time. */
export function get(url: string, options: { cookie?: string; timeoutMs: number }): Promise<Page> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      agent: false,
      headers: { accept: 'text/html,*/*', ...(options.cookie ? { cookie: options.cookie } : {}) },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer to GET ${new URL(url).pathname} within ${(options.timeoutMs / 1000).toFixed(1)} s`));
    }, options.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const raw = res.headers['set-cookie'] ?? [];
        resolve({
          url,
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
          setCookies: raw.map(parseSetCookie),
          ms: Math.round(performance.now() - started),
        });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

let toughCookie: Promise<typeof import('tough-cookie')> | undefined;

/**
 * Loads tough-cookie. Verify calls it once the apps are starting, so that
 * loading it overlaps their boot instead of delaying it.
 */
export function loadCookieJar(): Promise<typeof import('tough-cookie')> {
  return (toughCookie ??= import('tough-cookie'));
}

/** A visitor with a browser's cookie jar: cookies set by one answer go with the next request. */
export class Visitor {
  private jarPromise: Promise<CookieJar> | undefined;
  /** Every Set-Cookie this visitor received, in order. */
  readonly received: SetCookie[] = [];

  constructor(private readonly timeoutMs: number) {}

  private jar(): Promise<CookieJar> {
    return (this.jarPromise ??= loadCookieJar().then(({ CookieJar }) => new CookieJar()));
  }

  async get(base: string, path: string): Promise<Page> {
    const url = new URL(path, base).toString();
    const jar = await this.jar();
    const cookie = await jar.getCookieString(url);
    const page = await get(url, { cookie, timeoutMs: this.timeoutMs });
    for (const c of page.setCookies) {
      this.received.push(c);
      await jar.setCookie(c.raw, url, { ignoreError: true });
    }
    return page;
  }

  /** The cookies the jar would send to `base`, as name/value pairs. */
  async cookies(base: string): Promise<{ name: string; value: string }[]> {
    return (await (await this.jar()).getCookies(base)).map((c) => ({ name: c.key, value: c.value }));
  }
}
