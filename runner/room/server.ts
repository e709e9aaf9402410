// The instructor's room page: an HTTP server on 127.0.0.1 behind the same
// guard as the workshop's page (Host, then the token for everything but the
// door; Origin and the page's key for changes and streams), serving the
// room page, GET /api/room (the room as JSON, for scripts and tests), GET
// /api/room/events (the same, pushed as it changes: at most every 200 ms)
// and /slide/<deck>/<n> (the slide a failing check links to).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';
import { checkRequest, contentSecurityPolicy, cookieNameFor, lockedMessage, pageKeyOf, targetPath, tokensEqual } from '../server/security.ts';
import { PAGE_KEY_HEADER, TOKEN_HEADER, cookieToken, doorPage, escapeHtml, publicDir } from '../server/app.ts';
import { serveFolder } from '../server/static.ts';
import { sseFrame } from '../server/events.ts';
import { DeckCache } from '../server/decks.ts';
import { workshop } from '../steps.ts';
import { RoomState, type RoomView } from './room.ts';
import { parseEntry } from './entry.ts';
import type { RawEntry, ReaderStatus } from './reader.ts';

export const roomPublicDir = join(import.meta.dirname, 'public');
const safeMethods = new Set(['GET', 'HEAD']);
/** The door page's own files, from the workshop page's folder. */
const doorFiles = new Set(['/ui/door.css', '/ui/enter.js']);

export interface RoomPageView extends RoomView {
  room: { host: string; key: string; connected: boolean; message?: string };
}

export interface RoomServer {
  server: Server;
  port: number;
  /** Entries read from the stream. */
  take(entries: RawEntry[]): void;
  readerStatus(status: ReaderStatus): void;
  view(): RoomPageView;
  close(): Promise<void>;
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function startRoomServer(options: { port: number; token: string; host: string; key: string }): Promise<RoomServer> {
  const { token, host, key } = options;
  const room = new RoomState();
  let status: ReaderStatus = { connected: true };
  let port = 0;
  const clients = new Set<ServerResponse>();
  const decks = new DeckCache();
  const template = readFileSync(join(roomPublicDir, 'room.html'), 'utf8');
  const door = readFileSync(join(publicDir, 'door.html'), 'utf8');

  const view = (): RoomPageView => ({
    room: { host, key, connected: status.connected, ...(status.message ? { message: status.message } : {}) },
    ...room.view(Date.now()),
  });

  // Pushes coalesce: a burst of reports is one frame, sent within 200 ms of the first.
  let pending: NodeJS.Timeout | undefined;
  const push = () => {
    if (pending || !clients.size) return;
    pending = setTimeout(() => {
      pending = undefined;
      const frame = sseFrame('room', view());
      for (const res of clients) {
        // A page that does not read is cut off rather than buffered for: it reconnects to a fresh view.
        if (res.writableLength > 4 * 1024 * 1024) {
          clients.delete(res);
          res.destroy();
        } else res.write(frame);
      }
    }, 200);
  };
  // Silent and gone are a matter of time: the view is sent again every 15 s, and the gone forgotten.
  const tick = setInterval(() => {
    room.sweep(Date.now());
    push();
  }, 15_000);
  tick.unref();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy([]));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    const path = targetPath(req.url ?? '/');
    const verdict = checkRequest(
      {
        host: req.headers.host,
        target: req.url ?? '/',
        origin: req.headers.origin,
        cookieToken: cookieToken(req, port),
        headerToken: header(req, TOKEN_HEADER),
        pageKey: header(req, PAGE_KEY_HEADER),
        changesState: !safeMethods.has(req.method),
        isStream: req.path === '/api/room/events',
        isPublic: path === '/' || doorFiles.has(path ?? ''),
      },
      port,
      token,
    );
    if (!verdict.ok) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(verdict.status).type('text/plain').send(verdict.message);
      return;
    }
    res.locals.hasToken = verdict.hasToken;
    next();
  });

  app.get('/', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const given = req.query.token;
    if (given !== undefined) {
      if (typeof given !== 'string' || !tokensEqual(given, token)) {
        res.status(403).type('html').send(doorPage(door, "This link is not the room's", `This link's token is not the one this room page runs with. ${lockedMessage.replace(/^Blocked: /, '')}`));
        return;
      }
      res.cookie(cookieNameFor(port), token, { httpOnly: true, sameSite: 'strict', path: '/' });
      const site = req.headers['sec-fetch-site'];
      if (site === 'none' || site === 'same-origin') {
        res.redirect(303, '/');
        return;
      }
      res.type('html').send(doorPage(door, 'Opening the room…', 'Opening the room. If nothing happens, open it again from the link the terminal printed.', '/ui/enter.js'));
      return;
    }
    if (!res.locals.hasToken) {
      res.status(403).type('html').send(doorPage(door, 'Open the room from its link', lockedMessage.replace(/^Blocked: /, '')));
      return;
    }
    res.type('html').send(template.replace('__WORKSHOP_PAGE_KEY__', pageKeyOf(token)).replaceAll('__WORKSHOP_TITLE__', escapeHtml(workshop().title)));
  });
  app.get('/deck.css', async (_req, res) => {
    const { deckCss } = await import('../deck/css.ts');
    res.type('css').setHeader('Cache-Control', 'no-cache');
    res.send(deckCss);
  });
  app.use('/ui', (req, res, next) => (doorFiles.has(`/ui${req.path}`) ? serveFolder(publicDir)(req, res, next) : next()));
  app.use('/ui', serveFolder(roomPublicDir));
  app.use('/slides/img', serveFolder(join(workshop().slides, 'img'), { maxAge: 60 }));
  // The slide a failing check links to: the workshop's own deck, as the learner sees it.
  app.get('/slide/:deck/:n', async (req, res, next) => {
    try {
      const deck = await decks.get(req.params.deck!);
      const slide = deck?.slides[Number(req.params.n) - 1];
      if (!deck || !slide) {
        res.status(404).type('text/plain').send('There is no such slide in this workshop.');
        return;
      }
      res.type('html').send(
        `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(`${deck.title ?? req.params.deck} — ${slide.title}`)}</title><link rel="stylesheet" href="/deck.css"><link rel="stylesheet" href="/ui/room.css"></head><body class="one-slide"><p class="back"><a href="/">← The room</a> · ${escapeHtml(req.params.deck!)}, slide ${slide.number}</p><article class="slide">${slide.html}</article></body></html>`,
      );
    } catch (err) {
      next(err);
    }
  });
  app.get('/api/room', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(view());
  });
  app.get('/api/room/events', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 1000\n\n');
    res.write(sseFrame('room', view()));
    clients.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      clients.delete(res);
    });
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found.');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).type('text/plain').send(`The room page failed: ${(err as Error).message ?? String(err)}. See the terminal.`);
  });

  const server = createServer(app);
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  for (let p = options.port; ; p++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: p, host: '127.0.0.1', exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (err) {
      if (options.port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || p >= options.port + 50 || p >= 65535) throw err;
    }
  }
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;

  return {
    server,
    port,
    take(entries) {
      let changed = false;
      for (const { id, fields } of entries) {
        const entry = parseEntry(fields, id);
        if (!entry) continue;
        room.apply(entry);
        changed = true;
      }
      if (changed) push();
    },
    readerStatus(next) {
      status = next;
      push();
    },
    view,
    async close() {
      clearInterval(tick);
      clearTimeout(pending);
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
