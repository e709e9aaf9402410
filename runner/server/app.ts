// The web UI's server: an Express app on 127.0.0.1 only, every request
// through the guard (Host; then the token for everything but the page that
// asks for it; then Origin and a header of ours for anything that changes
// state or streams), the CSP on every response, files only from the
// folders meant to be served.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';
import { workshop } from '../steps.ts';
import type { WorkshopState } from '../state.ts';
import { ApiError, apiRouter } from './api.ts';
import { DeckCache } from './decks.ts';
import { EventHub } from './events.ts';
import { Verifier } from './verifier.ts';
import { RoomLink } from '../room/learner.ts';
import { roomRouter } from './room-api.ts';
import { parse as parseCookies } from 'cookie';
import { checkRequest, contentSecurityPolicy, cookieNameFor, lockedMessage, pageKeyOf, targetPath, tokensEqual } from './security.ts';
import { serveFolder } from './static.ts';

export const publicDir = join(import.meta.dirname, 'public');
/** Scripts and tests send the token itself in this header instead of the cookie. */
export const TOKEN_HEADER = 'x-workshop-token';
/** The page sends its key (pageKeyOf) in this header with every change. */
export const PAGE_KEY_HEADER = 'x-workshop-page';

const safeMethods = new Set(['GET', 'HEAD']);

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

/** The page that asks for the link, and its stylesheet and script: all anyone may read without the token. */
function isPublicPath(path: string | undefined): boolean {
  return path === '/' || (path?.startsWith('/ui/') ?? false);
}

/** The guard's view of a request. */
function checkOf(req: IncomingMessage, state: WorkshopState, isStream: boolean) {
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  return checkRequest(
    {
      host: req.headers.host,
      target,
      origin: req.headers.origin,
      cookieToken: cookieToken(req, state.port),
      headerToken: headerOf(req, TOKEN_HEADER),
      pageKey: headerOf(req, PAGE_KEY_HEADER),
      changesState: !safeMethods.has(method),
      isStream,
      isPublic: isPublicPath(targetPath(target)),
    },
    state.port,
    state.token,
  );
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page, with its key (base64url: nothing to escape) and the workshop's title (escaped: it is content). */
function pageFor(template: string, pageKey: string): string {
  return template.replace('__WORKSHOP_PAGE_KEY__', pageKey).replaceAll('__WORKSHOP_TITLE__', escapeHtml(workshop().title));
}

/** The short page shown instead of the workshop: what happened and what to do. Never the token. */
export function doorPage(template: string, heading: string, message: string, script = ''): string {
  return template
    .replaceAll('__WORKSHOP_TITLE__', escapeHtml(workshop().title))
    .replace('__HEADING__', escapeHtml(heading))
    .replace('__MESSAGE__', escapeHtml(message))
    .replace('__SCRIPT__', script ? `<script type="module" src="${script}"></script>` : '');
}

export interface UiServer {
  server: Server;
  /** Resolves once a slide or deck has been sent (or after `ms`): the page is up, slower work may start. */
  firstSlideSent(ms: number): Promise<void>;
  port: number;
  decks: DeckCache;
  hub: EventHub;
  verifier: Verifier;
  room: RoomLink;
  close(): Promise<void>;
}

export function createUiApp(state: WorkshopState) {
  const decks = new DeckCache();
  let slideSent: () => void = () => {};
  const firstSlide = new Promise<void>((r) => (slideSent = r));
  const hub = new EventHub(state);
  const room = new RoomLink(state.stateDir, (status) => state.emit('room', status));
  const verifier = new Verifier(state, (report) => room.report(report));
  const template = readFileSync(join(publicDir, 'index.html'), 'utf8');
  const door = readFileSync(join(publicDir, 'door.html'), 'utf8');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // One spelling per path: the guard below tells the event stream by its path,
  // so /API/EVENTS or /api/events/ must not reach it as something else.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const framePorts = Object.values(state.appPorts).filter((p) => p > 0);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(framePorts));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const verdict = checkOf(req, state, req.path === '/api/events');
    if (!verdict.ok) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(verdict.status).type('text/plain').send(verdict.message);
      return;
    }
    res.locals.hasToken = verdict.hasToken;
    next();
  });

  // The link the runner prints and opens (/?token=…) lands here: the token
  // becomes an HttpOnly, SameSite=Strict cookie and leaves the address bar.
  // Without the token, a short page says where the link is; never the page.
  app.get('/', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const given = req.query.token;
    if (given !== undefined) {
      if (typeof given !== 'string' || !tokensEqual(given, state.token)) {
        res.status(403).type('html').send(doorPage(door, 'This link is not the workshop\'s', `This link's token is not the one this workshop runs with (it may come from an earlier run). ${lockedMessage.replace(/^Blocked: /, '')}`));
        return;
      }
      res.cookie(cookieNameFor(state.port), state.token, { httpOnly: true, sameSite: 'strict', path: '/' });
      // Typed, clicked in a terminal or opened by the runner: a redirect keeps
      // the deep link (#/step3/7). Reached from another page (the file the
      // runner opens, say), a SameSite=Strict cookie is not sent on a redirect
      // that other page started: this page's own script goes on instead.
      const site = req.headers['sec-fetch-site'];
      if (site === 'none' || site === 'same-origin') {
        res.redirect(303, '/');
        return;
      }
      res.type('html').send(doorPage(door, 'Opening the workshop…', 'Opening the workshop. If nothing happens, open it again from the link the terminal printed.', '/ui/enter.js'));
      return;
    }
    if (!res.locals.hasToken) {
      res.status(403).type('html').send(doorPage(door, 'Open the workshop from its link', lockedMessage.replace(/^Blocked: /, '')));
      return;
    }
    res.type('html').send(pageFor(template, pageKeyOf(state.token)));
  });
  // The deck engine's stylesheet (layout of code excerpts, terminals, highlight colours).
  app.get('/deck.css', async (_req, res) => {
    const { deckCss } = await import('../deck/css.ts');
    res.type('css').setHeader('Cache-Control', 'no-cache');
    res.send(deckCss);
  });
  app.use('/ui', serveFolder(publicDir));
  app.use('/slides/img', serveFolder(join(workshop().slides, 'img'), { maxAge: 60 }));
  app.use('/api/decks', (_req, res, next) => {
    res.once('finish', slideSent);
    next();
  });
  // Answers about the learner's work are never kept by a browser or a proxy.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api/room', roomRouter(room, state));
  app.use('/api', apiRouter({ state, decks, hub, verifier }));

  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found.');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ApiError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    // The workspace's own errors are already one sentence with the way forward.
    if (err instanceof Error && err.name === 'WorkspaceError') {
      const code = (err as Error & { code?: string }).code;
      const status = code === 'unknown-backup' || code === 'unknown-step' ? 404 : code === 'busy' ? 409 : 500;
      res.status(status).json({ error: err.message });
      return;
    }
    // Body parser errors carry a status (400 bad JSON, 413 too large).
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: 'The request was not understood: send JSON.' });
      return;
    }
    res.status(500).json({ error: `The workshop runner failed: ${(err as Error).message ?? String(err)}. See the terminal.` });
  });
  return { app, decks, hub, verifier, room, firstSlide };
}

/**
 * We serve no WebSocket; still, an upgrade gets the same Host and Origin
 * checks first, so a refused one is refused for the same reason as a page.
 */
function refuseUpgrade(state: WorkshopState) {
  return (req: IncomingMessage, socket: Duplex) => {
    const verdict = checkOf(req, state, true);
    const [status, text] = verdict.ok ? [404, 'Not found.'] : [verdict.status, verdict.message];
    socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  };
}

/** Listens on 127.0.0.1:`port` (0: any free port) and records the port in the state. */
export async function startUiServer(state: WorkshopState, port: number): Promise<UiServer> {
  const { app, decks, hub, verifier, room, firstSlide } = createUiApp(state);
  const server = createServer(app);
  server.on('upgrade', refuseUpgrade(state));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: state.port,
    firstSlideSent: (ms) => Promise.race([firstSlide, new Promise<void>((r) => setTimeout(r, ms).unref())]),
    decks,
    hub,
    verifier,
    room,
    async close() {
      await Promise.all([hub.close(), verifier.close()]);
      room.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
