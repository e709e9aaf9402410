// The web UI's server: an Express app on 127.0.0.1 only, every request
// through the guard (Host, then Origin and token for anything that changes
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
import { checkRequest, contentSecurityPolicy } from './security.ts';
import { serveFolder } from './static.ts';

export const publicDir = join(import.meta.dirname, 'public');
export const TOKEN_HEADER = 'x-workshop-token';

const safeMethods = new Set(['GET', 'HEAD']);

/** The guard's view of a request. */
function checkOf(req: IncomingMessage, state: WorkshopState, isStream: boolean) {
  const header = req.headers[TOKEN_HEADER];
  return checkRequest(
    {
      host: req.headers.host,
      origin: req.headers.origin,
      token: Array.isArray(header) ? header[0] : header,
      changesState: !safeMethods.has(req.method ?? 'GET'),
      isStream,
    },
    state.port,
    state.token,
  );
}

/** index.html with this run's token in a meta tag (the token is base64url: nothing to escape). */
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page, with this run's token and the workshop's title (escaped: it is content). */
function pageFor(template: string, token: string): string {
  return template.replace('__WORKSHOP_TOKEN__', token).replaceAll('__WORKSHOP_TITLE__', escapeHtml(workshop().title));
}

export interface UiServer {
  server: Server;
  /** Resolves once a slide or deck has been sent (or after `ms`): the page is up, slower work may start. */
  firstSlideSent(ms: number): Promise<void>;
  port: number;
  decks: DeckCache;
  hub: EventHub;
  verifier: Verifier;
  close(): Promise<void>;
}

export function createUiApp(state: WorkshopState) {
  const decks = new DeckCache();
  let slideSent: () => void = () => {};
  const firstSlide = new Promise<void>((r) => (slideSent = r));
  const hub = new EventHub(state);
  const verifier = new Verifier(state);
  const template = readFileSync(join(publicDir, 'index.html'), 'utf8');
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
      res.status(verdict.status).type('text/plain').send(verdict.message);
      return;
    }
    next();
  });

  app.get('/', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(pageFor(template, state.token));
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
  return { app, decks, hub, verifier, firstSlide };
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
  const { app, decks, hub, verifier, firstSlide } = createUiApp(state);
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
    async close() {
      await Promise.all([hub.close(), verifier.close()]);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
