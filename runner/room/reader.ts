// The instructor's side of the stream: XREAD BLOCK on a connection of its
// own, from the stream's start (so a restarted room page rebuilds the room
// from what the stream still holds), then each new entry as it arrives: no
// polling loop, Redis wakes us. A lost connection is said (onStatus) and
// retried with backoff, reading on from the last entry seen.
import { createClient } from 'redis';
import { reasonOf } from '../redis-client.ts';

type Client = ReturnType<typeof createClient<{}, {}, {}, 2>>;

/** How long one XREAD waits for news before asking again (it returns at once when an entry comes). */
const BLOCK_MS = 5000;
const BATCH = 1000;

export type RawEntry = { id: string; fields: Record<string, string> };

export interface ReaderStatus {
  connected: boolean;
  /** Why not, in one sentence, when not. */
  message?: string;
}

/** The reply of XREAD (RESP2) as entries: [[key, [[id, [f, v, …]], …]]] or null. */
export function entriesOf(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: RawEntry[] = [];
  for (const stream of reply) {
    const list = Array.isArray(stream) ? stream[1] : undefined;
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue;
      const flat = item[1] as unknown[];
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const k = flat[i];
        const v = flat[i + 1];
        if (typeof k === 'string' && typeof v === 'string' && !(k in fields)) fields[k] = v;
      }
      out.push({ id: item[0], fields });
    }
  }
  return out;
}

/** Why the instructor's runner cannot read the room, in one sentence with the way forward. */
export function readProblem(err: unknown, host: string): string {
  const reason = reasonOf(err);
  if (/WRONGPASS|invalid username-password|NOAUTH/i.test(reason)) return `${host} refused the user or password in the URL: give the URL of a user that may read the room (not the learners' user).`;
  if (/NOPERM/i.test(reason)) return `${host} does not let this user read the room's stream: use a user with +xread on it (the learners' user can only append).`;
  if (/ECONNREFUSED/.test(reason)) return `Nothing answers at ${host}: start the room's Redis, or check the URL's port.`;
  if (/certificate|CERT_|self.signed/i.test(reason)) return `${host} presented a certificate this machine does not trust (${reason}): set NODE_EXTRA_CA_CERTS to the file of its authority's certificate.`;
  if (/ENOTFOUND|EAI_AGAIN/.test(reason)) return `The host of ${host} is not known here: check the URL.`;
  if (/timed out|Timeout/i.test(reason)) return `${host} did not answer in time.`;
  return `${host} could not be read: ${reason}.`;
}

export class RoomReader {
  private client: Client | undefined;
  private lastId = '0-0';
  private stopped = false;
  private backoff = 0;
  private wake: (() => void) | undefined;
  status: ReaderStatus = { connected: false };

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly host: string,
    private readonly onEntries: (entries: RawEntry[]) => void,
    private readonly onStatus: (status: ReaderStatus) => void,
  ) {}

  /** Connects and reads the whole stream once; rejects with readProblem's sentence (the command says it and exits). */
  async open(): Promise<void> {
    try {
      await this.connect();
      await this.readOnce(0);
    } catch (err) {
      this.client?.destroy();
      this.client = undefined;
      throw new Error(readProblem(err, this.host));
    }
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.client?.destroy();
    this.client = undefined;
    this.wake?.();
  }

  private async connect(): Promise<Client> {
    const client: Client = createClient({ url: this.url, RESP: 2, disableClientInfo: true, socket: { connectTimeout: 5000, reconnectStrategy: false } });
    client.on('error', () => {});
    this.client = client;
    await client.connect();
    this.setStatus({ connected: true });
    return client;
  }

  /** One XREAD: returns at once with what is there, or after `block` ms with nothing. */
  private async readOnce(block: number): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('not connected');
    const args = ['XREAD', 'COUNT', String(BATCH), ...(block ? ['BLOCK', String(block)] : []), 'STREAMS', this.key, this.lastId];
    for (;;) {
      const entries = entriesOf(await client.sendCommand(args.map((a, i) => (i === args.length - 1 ? this.lastId : a))));
      if (!entries.length) return;
      this.lastId = entries.at(-1)!.id;
      this.onEntries(entries);
      // A full batch: more is waiting, read it without blocking.
      if (entries.length < BATCH) return;
      if (block) args.splice(args.indexOf('BLOCK'), 2);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.client?.isReady) await this.connect();
        await this.readOnce(BLOCK_MS);
        this.backoff = 0;
      } catch (err) {
        if (this.stopped) return;
        this.client?.destroy();
        this.client = undefined;
        this.setStatus({ connected: false, message: `Lost the room: ${readProblem(err, this.host)} Retrying…` });
        this.backoff = Math.min(this.backoff ? this.backoff * 2 : 500, 10_000);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, this.backoff);
          this.wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
    }
  }

  private setStatus(status: ReaderStatus): void {
    if (JSON.stringify(status) === JSON.stringify(this.status)) return;
    this.status = status;
    this.onStatus(status);
  }
}
