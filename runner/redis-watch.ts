// Watching the Redis in use, whichever it is (REDIS_URL, one found running,
// or the redis-server we started): a PING every second, and for a server of
// ours its exit, heard at once. When it stops answering the runner's state
// goes 'down' with one sentence saying so and what to do; when it answers
// again, 'ready', by itself. A redis-server we started can be started
// again from the page, on the same port with the same data, so the apps'
// REDIS_URL stays right and their clients reconnect on their own.
import { ping, redactUrl, type RedisConnection } from './redis.ts';
import { reasonOf, redisPort } from './redis-client.ts';
import type { RedisControl, RedisState } from './state.ts';
import type { Exit } from './process/child.ts';
import { isRunning } from './process/table.ts';

export interface WatchOptions {
  /** Told every change: 'ready' → 'down' (and its restarts) → 'ready'. */
  onChange(redis: RedisState): void;
  /** Between two PINGs. */
  intervalMs?: number;
  /** How long one PING may take before it counts as a failure. */
  timeoutMs?: number;
}

/** A refusal is final at once; a slow answer (a busy machine) must happen twice in a row. */
const refused = (err: unknown) => /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH/.test(`${(err as { code?: string }).code ?? ''} ${reasonOf(err)}`);

function howItEnded(exit: Exit): string {
  if (exit.error) return `could not run (${exit.error})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

export class RedisWatch implements RedisControl {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private down: { reason: string } | undefined;
  private restarting: Promise<{ status: number; message: string } | undefined> | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: WatchOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  get isDown(): boolean {
    return this.down !== undefined;
  }

  start(): void {
    this.watchProcess();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The server we started: its exit is news at once, no PING needed. */
  private watchProcess(): void {
    const server = this.connection.server;
    if (!server) return;
    void server.process.exited.then((exit) => {
      if (this.stopped || this.connection.server !== server) return; // stopped by us, or replaced
      this.goDown(this.ended(exit));
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.look(), this.intervalMs).unref();
  }

  private async look(): Promise<void> {
    try {
      await ping(this.connection.url, this.timeoutMs);
      this.failures = 0;
      if (this.down && !this.restarting && !this.stopped) this.goUp();
    } catch (err) {
      this.failures++;
      if (!this.stopped && !this.down && (refused(err) || this.failures >= 2)) {
        // Our own server's end says more than the refused connection it leaves behind.
        const exit = await this.serverExit();
        this.goDown(exit ? this.ended(exit) : reasonOf(err));
      }
    }
    this.schedule();
  }

  /** How the server we started ended, once it has (its exit is read after its output drains). */
  private async serverExit(): Promise<Exit | undefined> {
    const child = this.connection.server?.process;
    if (!child || isRunning(child.pid)) return undefined;
    return Promise.race([child.exited, new Promise<undefined>((r) => setTimeout(r, 1000))]);
  }

  private ended(exit: Exit): string {
    return `the workshop's redis-server ${howItEnded(exit)}`;
  }

  private get where(): string {
    return `127.0.0.1:${redisPort(this.connection.url)}`;
  }

  /** What to do, for this kind of Redis. */
  private todo(): string {
    const c = this.connection;
    if (c.startAgain) return 'Start it again with "Start Redis again" on the workshop\'s page, or restart the workshop.';
    if (c.source === 'env') {
      return `Start the Redis at REDIS_URL (${redactUrl(c.url)}) again, or unset REDIS_URL and restart the workshop to let it start one of its own.`;
    }
    if (c.owner?.kind === 'other-workshop') {
      return `It belongs to the workshop in ${c.owner.note.workshop}: start that workshop again, or restart this one, which then starts a Redis of its own.`;
    }
    return 'Start that Redis again the way it was started (for example sudo systemctl start redis-server, or brew services start redis), or restart the workshop, which then starts a Redis of its own.';
  }

  private publish(restarting: boolean, message?: string): void {
    const c = this.connection;
    const where = c.source === 'env' ? redactUrl(c.url) : this.where;
    this.options.onChange({
      state: 'down',
      url: c.url,
      description: c.description,
      cli: c.cli,
      message: message ?? `Redis stopped answering at ${where} (${this.down?.reason}). Your app can't keep sessions until it's back.`,
      todo: this.todo(),
      canStart: Boolean(c.startAgain),
      restarting,
    });
  }

  private goDown(reason: string): void {
    if (this.down || this.stopped) return;
    this.down = { reason };
    this.publish(false);
  }

  private goUp(): void {
    this.down = undefined;
    const c = this.connection;
    this.options.onChange({ state: 'ready', url: c.url, description: c.description, cli: c.cli });
  }

  /** POST /api/redis/start: only a Redis we started, and only while it is down; one start at a time. */
  startAgain(): Promise<{ status: number; message: string } | undefined> {
    if (!this.down) return Promise.resolve(undefined); // it answers: nothing to do
    const again = this.connection.startAgain?.bind(this.connection);
    if (!again) {
      return Promise.resolve({ status: 409, message: `The workshop did not start this Redis, so it can't start it again: ${this.todo()}` });
    }
    return (this.restarting ??= (async () => {
      this.publish(true);
      try {
        await again();
        if (this.stopped) return undefined;
        this.watchProcess();
        this.failures = 0;
        this.goUp();
        return undefined;
      } catch (err) {
        const message = `Redis could not be started again: ${reasonOf(err).replace(/\.$/, '')}. Restart the workshop, or start a Redis yourself on ${this.where}.`;
        if (!this.stopped) this.publish(false, message);
        return { status: 500, message };
      } finally {
        this.restarting = undefined;
      }
    })());
  }
}
