// The web UI's server: an Express app on 127.0.0.1 only, every request
// through the guard (Host; then the token for everything but the page that
// asks for it; then Origin and a header of ours for anything that changes
// state or streams), the CSP on every response, files only from the
// folders meant to be served.
import { createServer, type Server } from 'node:http';
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
import { pageKeyOf } from './security.ts';
import { answerAtDoor, escapeHtml, guard, refuseUpgrade, type Door } from './door.ts';
import { serveFolder } from './static.ts';

export const publicDir = join(import.meta.dirname, 'public');

/** The page that asks for the link, and its stylesheet and script: all anyone may read without the token. */
function isPublicPath(path: string | undefined): boolean {
  return path === '/' || (path?.startsWith('/ui/') ?? false);
}

/** The workshop's door: its token, its port once listening, the apps its page frames. */
const doorOf = (state: WorkshopState): Door => ({
  what: 'workshop',
  port: () => state.port,
  token: state.token,
  isPublic: isPublicPath,
  framePorts: () => Object.values(state.appPorts).filter((p) => p > 0),
});

/** The page, with its key (base64url: nothing to escape) and the workshop's title (escaped: it is content). */
function pageFor(template: string, pageKey: string): string {
  return template.replace('__WORKSHOP_PAGE_KEY__', pageKey).replaceAll('__WORKSHOP_TITLE__', escapeHtml(workshop().title));
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
  const doorTemplate = readFileSync(join(publicDir, 'door.html'), 'utf8');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // One spelling per path: the guard below tells the event stream by its path,
  // so /API/EVENTS or /api/events/ must not reach it as something else.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  const door = doorOf(state);
  app.use(guard(door, (path) => path === '/api/events'));

  // The link the runner prints and opens (/?token=…) lands here: the token
  // becomes an HttpOnly, SameSite=Strict cookie and leaves the address bar.
  // Without the token, a short page says where the link is; never the page.
  app.get('/', (req, res) => {
    if (!answerAtDoor(req, res, door, doorTemplate)) res.type('html').send(pageFor(template, pageKeyOf(state.token)));
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

/** Listens on 127.0.0.1:`port` (0: any free port) and records the port in the state. */
export async function startUiServer(state: WorkshopState, port: number): Promise<UiServer> {
  const { app, decks, hub, verifier, room, firstSlide } = createUiApp(state);
  const server = createServer(app);
  server.on('upgrade', refuseUpgrade(doorOf(state)));
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
