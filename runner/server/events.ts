// The page's one live channel: Server-Sent Events on GET /api/events.
// On connect a page gets the whole picture (state, recent app logs, what
// is in Redis); after that, every change as it happens. The inspector
// polls Redis only while at least one page is listening.
import type { Request, Response } from 'express';
import type { WorkshopEvent, WorkshopState } from '../state.ts';
import { Inspector, type Refusal, type ValueChunk } from './inspector.ts';

/** One SSE frame. JSON never contains a raw newline, so one data line is enough. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** How much unsent data a page may have queued (see broadcast). */
export const limits = { skipLogBytes: 256 * 1024, dropClientBytes: 4 * 1024 * 1024 } as const;

export class EventHub {
  private clients = new Set<Response>();
  private inspector: Inspector | undefined;
  private inspectorUrl = '';

  constructor(private readonly state: WorkshopState) {
    state.events.on('update', (e: WorkshopEvent) => {
      this.broadcast(e.topic, e.data);
      if (e.topic === 'state') this.syncInspector();
    });
  }

  broadcast(event: string, data: unknown): void {
    if (!this.clients.size) return;
    const frame = sseFrame(event, data);
    for (const res of this.clients) {
      // A page that reads slower than an app floods its log (a busy or
      // background tab) must not make us buffer without bound: past a
      // little backlog it misses log lines (it has the recent ones on
      // reconnect); past a larger one it is cut off, and its page
      // reconnects to a fresh picture.
      const backlog = res.writableLength;
      if (backlog > limits.dropClientBytes) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      if (event === 'log' && backlog > limits.skipLogBytes) continue;
      res.write(frame);
    }
  }

  /** GET /api/events */
  connect(req: Request, res: Response): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 1000\n\n');
    res.write(sseFrame('state', this.state.snapshot()));
    for (const app of this.state.appList) res.write(sseFrame('logs', { app: app.id, lines: app.log.slice(-50) }));
    if (this.inspector?.snapshot) res.write(sseFrame('inspector', this.inspector.snapshot));
    this.clients.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      this.clients.delete(res);
      this.syncInspector();
    });
    this.syncInspector();
  }

  /**
   * Polls Redis while a page listens and Redis is ready, or down (its note
   * then says why it can't read, and it lists sessions again once Redis is
   * back); follows a change of Redis.
   */
  private syncInspector(): void {
    const redis = this.state.redis;
    const known = redis.state === 'ready' || redis.state === 'down';
    const want = known && this.clients.size > 0;
    if (known && this.inspectorUrl !== redis.url) {
      void this.inspector?.close();
      this.inspector = new Inspector(redis.url, redis.cli, (snap) => this.broadcast('inspector', snap));
      this.inspectorUrl = redis.url;
    }
    if (want) this.inspector?.start();
    else this.inspector?.stop();
  }

  /** GET /api/inspector/value: more of a value than the inspector shows (see Inspector.readValue). */
  async readValue(key: string, offset: string): Promise<ValueChunk | Refusal> {
    if (!this.inspector) return { status: 503, message: 'The workshop has no Redis to read yet: the header says why.' };
    return this.inspector.readValue(key, offset);
  }

  async close(): Promise<void> {
    for (const res of this.clients) res.end();
    this.clients.clear();
    await this.inspector?.close();
  }
}
