// The instructor's room page: an HTTP server on 127.0.0.1 behind the same
// guard as the workshop's page (Host, then the token for everything but the
// door; Origin and the page's key for changes and streams), serving the
// room page, GET /api/room (the room as JSON, for scripts and tests), GET
// /api/room/events (the same, pushed as it changes: at most every 200 ms)
// and /slide/<deck>/<n> (the slide a failing check links to).
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';
import { pageKeyOf } from '../server/security.ts';
import { publicDir } from '../server/app.ts';
import { answerAtDoor, escapeHtml, guard, refuseUpgrade, type Door } from '../server/door.ts';
import { serveFolder } from '../server/static.ts';
import { sseFrame } from '../server/events.ts';
import { DeckCache } from '../server/decks.ts';
import { workshop } from '../steps.ts';
import { RoomState, type RoomView } from './room.ts';
import { parseEntry } from './entry.ts';
import type { RawEntry, ReaderStatus } from './reader.ts';

export const roomPublicDir = join(import.meta.dirname, 'public');
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

export async function startRoomServer(options: { port: number; token: string; host: string; key: string }): Promise<RoomServer> {
  const { token, host, key } = options;
  const room = new RoomState();
  let status: ReaderStatus = { connected: true };
  let port = 0;
  const clients = new Set<ServerResponse>();
  const decks = new DeckCache();
  const template = readFileSync(join(roomPublicDir, 'room.html'), 'utf8');
  const doorTemplate = readFileSync(join(publicDir, 'door.html'), 'utf8');

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
  // The same door as the workshop's: its guard, and the link that lets in; only the door page's own files are public.
  const door: Door = { what: 'room', port: () => port, token, isPublic: (path) => path === '/' || doorFiles.has(path ?? '') };
  app.use(guard(door, (path) => path === '/api/room/events'));

  app.get('/', (req, res) => {
    if (answerAtDoor(req, res, door, doorTemplate)) return;
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
  server.on('upgrade', refuseUpgrade(door));
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
