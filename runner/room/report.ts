// The learner's side of a room: each verify's result appended to the
// room's stream (one XADD, capped with MAXLEN ~), in the background. It
// never delays or changes a verify: send() only queues; a room that is
// down, slow or refusing is retried with backoff (1 s doubling to 30 s),
// the queue keeping only the latest few reports (the room wants the
// latest state, not history). The status (reporting, or retrying and why)
// goes to onStatus once per change, so the page says it once.
import { createClient } from 'redis';
import { reasonOf } from '../redis-client.ts';
import { roomHost, type RoomConfig } from './config.ts';

/** The stream keeps about this many entries (MAXLEN ~): a few MB at most, whatever the room does. */
export const STREAM_MAXLEN = 20_000;
/** How long one connection or XADD may take before it counts as a failure. */
export const COMMAND_TIMEOUT_MS = 3000;
const QUEUE_MAX = 5;
const BACKOFF_MS = { first: 1000, max: 30_000 } as const;

export type ReporterStatus =
  | { state: 'idle' | 'reporting'; host: string; name: string }
  | { state: 'retrying'; host: string; name: string; message: string };

type Client = ReturnType<typeof createClient<{}, {}, {}, 2>>;

/** Why a room's Redis refused or failed, in one sentence a learner can act on. */
export function roomProblem(err: unknown, host: string): string {
  const reason = reasonOf(err);
  if (/WRONGPASS|invalid username-password|AUTH|NOAUTH/i.test(reason)) return `The room at ${host} refused the user or password in its URL: ask the instructor for the room's URL and join again.`;
  if (/NOPERM/i.test(reason)) return `The room at ${host} does not let this user append to the room: ask the instructor to check the learners' ACL line.`;
  if (/ECONNREFUSED/.test(reason)) return `Nothing answers at ${host}: the room's Redis is down, or the URL's port is wrong.`;
  if (/certificate|CERT_|self.signed/i.test(reason)) return `The room at ${host} presented a certificate this machine does not trust (${reason}): ask the instructor for the certificate of its authority, and set NODE_EXTRA_CA_CERTS to that file.`;
  if (/ECONNRESET|closed unexpectedly/i.test(reason)) return `The room at ${host} closed the connection at once: if it uses TLS, its URL starts with rediss://.`;
  if (/wrong version number|EPROTO|packet length/i.test(reason)) return `The room at ${host} does not speak TLS on that port: try the URL with redis:// instead of rediss://, or ask the instructor for the TLS port.`;
  if (/ENOTFOUND|EAI_AGAIN/.test(reason)) return `The room's host ${host} is not known here: check the URL, or your network.`;
  if (/timed out|did not answer|Timeout/i.test(reason)) return `The room at ${host} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s.`;
  return `The room at ${host} could not be reached: ${reason}.`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms))),
  ]).finally(() => clearTimeout(timer));
}

export class Reporter {
  private readonly queue: Record<string, string>[] = [];
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private backoff = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private lastStatus = '';
  status: ReporterStatus;

  constructor(
    readonly room: RoomConfig,
    private readonly onStatus: (status: ReporterStatus) => void = () => {},
  ) {
    this.status = { state: 'idle', host: roomHost(room.url), name: room.name };
  }

  /** Opens the connection ahead of the first report (verify's own work runs meanwhile). */
  warm(): void {
    if (this.closed) return;
    // A room that cannot be reached is known now: a verify does not wait for it at its end.
    this.connect().catch((err: unknown) => {
      if (this.closed || this.status.state === 'reporting') return;
      const host = roomHost(this.room.url);
      this.setStatus({ state: 'retrying', host, name: this.room.name, message: roomProblem(err, host) });
    });
  }

  /** Queues one report; returns at once. */
  send(fields: Record<string, string>): void {
    if (this.closed) return;
    this.queue.push(fields);
    if (this.queue.length > QUEUE_MAX) this.queue.splice(0, this.queue.length - QUEUE_MAX);
    // The sending starts after the caller's turn: send() itself only queues.
    if (!this.timer) setImmediate(() => void this.drain());
  }

  /** Resolves when the queue is empty, or after `ms`: true when everything went out. */
  async flush(ms: number): Promise<boolean> {
    if (!this.queue.length && !this.busy) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((r) => this.idleWaiters.push(() => r(true))),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    return done;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drop();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private setStatus(status: ReporterStatus): void {
    this.status = status;
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.onStatus(status);
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    client?.destroy();
  }

  /** The connection, opened anew when there is none or the one there was closed (Redis went away). */
  private connect(): Promise<Client> {
    if (this.client?.isReady) return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    if (this.client) this.drop();
    const connecting = (async () => {
      const client: Client = createClient({
        url: this.room.url,
        RESP: 2,
        disableClientInfo: true,
        socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy: false },
      });
      client.on('error', () => {}); // failures reach us through the rejected promises
      this.client = client;
      try {
        await withTimeout(client.connect(), COMMAND_TIMEOUT_MS);
      } catch (err) {
        if (this.client === client) this.client = undefined;
        client.destroy();
        throw err;
      }
      return client;
    })().finally(() => {
      if (this.connecting === connecting) this.connecting = undefined;
    });
    this.connecting = connecting;
    return connecting;
  }

  private async drain(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    const host = roomHost(this.room.url);
    try {
      let reconnected = false;
      while (this.queue.length && !this.closed) {
        const fields = this.queue[0]!;
        const client = await this.connect();
        try {
          await withTimeout(
            client.sendCommand(['XADD', this.room.key, 'MAXLEN', '~', String(STREAM_MAXLEN), '*', ...Object.entries(fields).flat()]),
            COMMAND_TIMEOUT_MS,
          );
        } catch (err) {
          // A connection that Redis closed since the last report (a restart, an idle timeout): one new one at once.
          if (reconnected || !/client is closed|Socket closed|ECONNRESET|EPIPE/i.test(reasonOf(err))) throw err;
          reconnected = true;
          this.drop();
          continue;
        }
        if (this.queue[0] === fields) this.queue.shift();
        this.backoff = 0;
        this.setStatus({ state: 'reporting', host, name: this.room.name });
      }
    } catch (err) {
      if (this.closed) return;
      this.drop();
      this.backoff = Math.min(this.backoff ? this.backoff * 2 : BACKOFF_MS.first, BACKOFF_MS.max);
      this.setStatus({ state: 'retrying', host, name: this.room.name, message: roomProblem(err, host) });
      const wait = this.backoff * (0.8 + Math.random() * 0.4);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, wait);
      this.timer.unref();
    } finally {
      this.busy = false;
      if (!this.queue.length || this.closed) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

/** One append, now, for `join`: resolves, or rejects with roomProblem's sentence. */
export async function appendOnce(room: RoomConfig, fields: Record<string, string>): Promise<void> {
  const host = roomHost(room.url);
  const client: Client = createClient({ url: room.url, RESP: 2, disableClientInfo: true, socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), COMMAND_TIMEOUT_MS);
    await withTimeout(client.sendCommand(['XADD', room.key, 'MAXLEN', '~', String(STREAM_MAXLEN), '*', ...Object.entries(fields).flat()]), COMMAND_TIMEOUT_MS);
  } catch (err) {
    throw new Error(roomProblem(err, host));
  } finally {
    client.destroy();
  }
}
