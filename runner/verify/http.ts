// HTTP as a browser would do it, for the checks: any method, form and JSON
// bodies, redirects seen (or followed when asked), a cookie jar per visitor
// (tough-cookie) that keeps what the app sets, plus raw requests with a
// hand-made Cookie header for forged and unsigned cookies.
import { request } from 'node:http';
import type { CookieJar } from 'tough-cookie';
import { parseSetCookie, type SetCookie } from './cookies.ts';

export interface Page {
  url: string;
  /** The request's method: GET, POST… */
  method: string;
  status: number;
  contentType: string;
  /** Every response header, names in lower case (Set-Cookie is in `setCookies`). */
  headers: Record<string, string>;
  /** Where a redirect points (the Location header), if anywhere. */
  location?: string;
  body: string;
  setCookies: SetCookie[];
  ms: number;
}

export type FormFields = Record<string, string | string[]>;

/** `a=1&b=2&b=3`: each field of a list once per value, as a form with two inputs of one name sends it. */
export function encodeForm(fields: FormFields): string {
  return new URLSearchParams(Object.entries(fields).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v]))).toString();
}

/** A request as a browser (or a script in one) would send it. */
export interface Request {
  path: string;
  /** Default: POST when there is a body, else GET. */
  method?: string;
  /** A form's fields, sent URL-encoded, as a browser submits a form; a field given as a list is sent once per value. */
  form?: FormFields;
  /** A JSON body. */
  json?: unknown;
  /** A body sent as it is, with its Content-Type (a charset the app does not know, a field given twice). */
  raw?: { contentType: string; data: string };
  /**
   * Send the headers a browser adds to a form it submits from the app's own
   * page: Origin (the app's) and Sec-Fetch-Site: same-origin. Default: true
   * for methods other than GET and HEAD; false sends neither, as curl does.
   * `headers` are applied after them.
   */
  browser?: boolean;
  headers?: Record<string, string>;
  /** Follow redirects (GET, as browsers do after a POST), up to 5. Default: the redirect is the answer. */
  follow?: boolean;
}

const MAX_BODY = 512 * 1024;

/** The method a request is sent with: its own, else POST when it has a body, else GET. */
export function methodOf(request: Pick<Request, 'method' | 'form' | 'json' | 'raw'>): string {
  return (request.method ?? (request.form || request.json !== undefined || request.raw ? 'POST' : 'GET')).toUpperCase();
}

/**
 * One request, no keep-alive (so no socket outlives the check), bounded in
 * time. A redirect is returned, not followed. `userAgent` is sent as the
 * User-Agent header (none otherwise, as Node sends none); `headers` override it.
 */
export function send(url: string, options: Omit<Request, 'path' | 'follow'> & { cookie?: string; userAgent?: string; timeoutMs: number }): Promise<Page> {
  const started = performance.now();
  const method = methodOf(options);
  const body = options.form
    ? { type: 'application/x-www-form-urlencoded', data: encodeForm(options.form) }
    : options.json !== undefined
      ? { type: 'application/json', data: JSON.stringify(options.json) }
      : options.raw
        ? { type: options.raw.contentType, data: options.raw.data }
        : undefined;
  const { pathname: path, origin } = new URL(url);
  const browser = options.browser ?? (method !== 'GET' && method !== 'HEAD');
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      agent: false,
      headers: {
        accept: 'text/html,*/*',
        ...(options.userAgent !== undefined ? { 'user-agent': options.userAgent } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(browser ? { origin, 'sec-fetch-site': 'same-origin' } : {}),
        ...(body ? { 'content-type': body.type, 'content-length': String(Buffer.byteLength(body.data)) } : {}),
        ...options.headers,
      },
    });
    // Given up one turn of the event loop after the timer: when verify itself
    // was held up past the limit (both cores busy), an answer that came in
    // meanwhile is read first, not thrown away for a timeout.
    const timer = setTimeout(
      () => setImmediate(() => req.destroy(new Error(`no answer to ${method} ${path} within ${(options.timeoutMs / 1000).toFixed(1)} s`))),
      options.timeoutMs,
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (name !== 'set-cookie' && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({
          url,
          method,
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          headers,
          location: headers.location,
          body: Buffer.concat(chunks).toString('utf8'),
          setCookies: (res.headers['set-cookie'] ?? []).map(parseSetCookie),
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
    req.end(body?.data);
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

/** What makes a visitor a device of its own, beside its cookie jar. */
export interface VisitorOptions {
  /** Sent as User-Agent on every request (a phone, a laptop's browser); none when left out. */
  userAgent?: string;
}

/** A visitor with a browser's cookie jar: cookies set by one answer go with the next request. */
export class Visitor {
  private jarPromise: Promise<CookieJar> | undefined;
  /** Every Set-Cookie this visitor received, in order. */
  readonly received: SetCookie[] = [];
  /** The User-Agent it sends on every request, if any. */
  readonly userAgent: string | undefined;

  constructor(
    private readonly timeoutMs: number,
    options: VisitorOptions = {},
  ) {
    this.userAgent = options.userAgent;
  }

  private jar(): Promise<CookieJar> {
    return (this.jarPromise ??= loadCookieJar().then(({ CookieJar }) => new CookieJar()));
  }

  get(base: string, path: string): Promise<Page> {
    return this.send(base, { path });
  }

  /** Any request (see `Request`), with this visitor's cookies; what the answer sets goes in the jar. */
  async send(base: string, request: Request): Promise<Page> {
    const jar = await this.jar();
    let url = new URL(request.path, base).toString();
    let page = await this.once(jar, url, request);
    // As a browser does: a redirect is followed with a GET, cookies kept.
    for (let hops = 0; request.follow && page.location && page.status >= 300 && page.status < 400 && hops < 5; hops++) {
      url = new URL(page.location, url).toString();
      page = await this.once(jar, url, { path: url, headers: request.headers });
    }
    return page;
  }

  private async once(jar: CookieJar, url: string, request: Request): Promise<Page> {
    const cookie = await jar.getCookieString(url);
    const page = await send(url, { ...request, cookie, userAgent: this.userAgent, timeoutMs: this.timeoutMs });
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
