// The door of a runner's web server, the workshop's and the room's alike:
// the guard every request passes (security.ts decides; this reads the
// request and answers a refusal), and GET /, where the link the terminal
// printed (/?token=…) lands: the token becomes an HttpOnly, SameSite=Strict
// cookie and leaves the address bar. Without it, a short page says where
// the link is; never the page itself.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import { parse as parseCookies } from 'cookie';
import { workshop } from '../steps.ts';
import { checkRequest, contentSecurityPolicy, cookieNameFor, lockedMessage, targetPath, tokensEqual } from './security.ts';

/** Scripts and tests send the token itself in this header instead of the cookie. */
export const TOKEN_HEADER = 'x-workshop-token';
/** The page sends its key (pageKeyOf) in this header with every change. */
export const PAGE_KEY_HEADER = 'x-workshop-page';

const safeMethods = new Set(['GET', 'HEAD']);

/** What a server's door needs to know; the port is read per request (it is known once listening). */
export interface Door {
  /** "workshop" or "room": what its pages call it. */
  what: string;
  port(): number;
  token: string;
  /** Paths anyone may read without the token: the page that asks for the link, its stylesheet and script. */
  isPublic(path: string | undefined): boolean;
  /** The app ports a page may frame (the workshop's apps); none by default. */
  framePorts?(): number[];
}

const headerOf = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The token in the request's cookie for this port, if any. */
export function cookieToken(req: IncomingMessage, port: number): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  try {
    return parseCookies(header)[cookieNameFor(port)];
  } catch {
    return undefined;
  }
}

/** The guard's verdict on a request (security.ts's checkRequest, fed from the request). */
export function checkOf(req: IncomingMessage, door: Door, isStream: boolean) {
  const target = req.url ?? '/';
  return checkRequest(
    {
      host: req.headers.host,
      target,
      origin: req.headers.origin,
      cookieToken: cookieToken(req, door.port()),
      headerToken: headerOf(req, TOKEN_HEADER),
      pageKey: headerOf(req, PAGE_KEY_HEADER),
      changesState: !safeMethods.has(req.method ?? 'GET'),
      isStream,
      isPublic: door.isPublic(targetPath(target)),
    },
    door.port(),
    door.token,
  );
}

/** Every request first: the security headers, then the guard; `res.locals.hasToken` says what it found. */
export function guard(door: Door, isStream: (path: string) => boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(door.framePorts?.() ?? []));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const verdict = checkOf(req, door, isStream(req.path));
    if (!verdict.ok) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(verdict.status).type('text/plain').send(verdict.message);
      return;
    }
    res.locals.hasToken = verdict.hasToken;
    next();
  };
}

/**
 * We serve no WebSocket; still, an upgrade gets the same Host and Origin
 * checks first, so a refused one is refused for the same reason as a page.
 */
export function refuseUpgrade(door: Door) {
  return (req: IncomingMessage, socket: Duplex) => {
    const verdict = checkOf(req, door, true);
    const [status, text] = verdict.ok ? [404, 'Not found.'] : [verdict.status, verdict.message];
    socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  };
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The short page shown instead of the workshop: what happened and what to do. Never the token. */
export function doorPage(template: string, heading: string, message: string, script = ''): string {
  return template
    .replaceAll('__WORKSHOP_TITLE__', escapeHtml(workshop().title))
    .replace('__HEADING__', escapeHtml(heading))
    .replace('__MESSAGE__', escapeHtml(message))
    .replace('__SCRIPT__', script ? `<script type="module" src="${script}"></script>` : '');
}

/**
 * GET /: the link with its token sets the cookie and goes on to the page; a
 * wrong token or none gets the door page. Returns true when it answered, false
 * when the request holds the token and the caller sends the page.
 */
export function answerAtDoor(req: Request, res: Response, door: Door, template: string): boolean {
  res.setHeader('Cache-Control', 'no-store');
  const what = door.what;
  const given = req.query.token;
  const locked = lockedMessage.replace(/^Blocked: /, '');
  if (given !== undefined) {
    if (typeof given !== 'string' || !tokensEqual(given, door.token)) {
      res.status(403).type('html').send(doorPage(template, `This link is not the ${what}'s`, `This link's token is not the one this ${what} runs with (it may come from an earlier run). ${locked}`));
      return true;
    }
    res.cookie(cookieNameFor(door.port()), door.token, { httpOnly: true, sameSite: 'strict', path: '/' });
    // Typed, clicked in a terminal or opened by the runner: a redirect keeps
    // the deep link (#/step3/7). Reached from another page (the file the
    // runner opens, say), a SameSite=Strict cookie is not sent on a redirect
    // that other page started: this page's own script goes on instead.
    const site = req.headers['sec-fetch-site'];
    if (site === 'none' || site === 'same-origin') res.redirect(303, '/');
    else res.type('html').send(doorPage(template, `Opening the ${what}…`, `Opening the ${what}. If nothing happens, open it again from the link the terminal printed.`, '/ui/enter.js'));
    return true;
  }
  if (!res.locals.hasToken) {
    res.status(403).type('html').send(doorPage(template, `Open the ${what} from its link`, locked));
    return true;
  }
  return false;
}
