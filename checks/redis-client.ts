// A minimal Redis client (RESP2 over TCP or TLS) for reading what the app
// under test stored. Verify's own start-up time is part of every run, and
// loading the full `redis` package costs it ~140 ms; the few commands the
// checks need (SCAN, TYPE, GET, HGETALL, CLIENT LIST, SELECT, DBSIZE, SET,
// UNLINK) fit in this file.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export type Reply = string | number | null | Reply[];

export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/** Parses one reply from `buf` at `at`; undefined when it is not complete yet. */
export function parseReply(buf: Buffer, at = 0): { reply: Reply | RedisReplyError; next: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at] ?? 0);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { reply: line, next };
    case '-':
      return { reply: new RedisReplyError(line), next };
    case ':':
      return { reply: Number(line), next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { reply: null, next };
      if (buf.length < next + len + 2) return undefined;
      return { reply: buf.toString('utf8', next, next + len), next: next + len + 2 };
    }
    case '*': {
      const len = Number(line);
      if (len < 0) return { reply: null, next };
      const items: Reply[] = [];
      let pos = next;
      for (let i = 0; i < len; i++) {
        const item = parseReply(buf, pos);
        if (!item) return undefined;
        if (item.reply instanceof RedisReplyError) return { reply: item.reply, next: item.next };
        items.push(item.reply);
        pos = item.next;
      }
      return { reply: items, next: pos };
    }
    default:
      throw new Error(`unexpected reply from Redis: ${JSON.stringify(buf.toString('utf8', at, Math.min(buf.length, at + 40)))}`);
  }
}

function encode(args: readonly (string | number)[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;
}

export interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
}

export function parseRedisUrl(url: string): RedisTarget {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a redis:// URL: ${u.protocol}`);
  const db = Number(u.pathname.slice(1) || 0);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    tls: u.protocol === 'rediss:',
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
  };
}

/** The URL with its database replaced by `db`. */
export function withDatabase(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export class MiniRedis {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket, private readonly timeoutMs: number) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const onGone = (err?: Error) => {
      this.closed = true;
      for (const p of this.pending.splice(0)) p.reject(err ?? new Error('the connection to Redis closed'));
    };
    socket.on('error', onGone);
    socket.on('close', () => onGone());
  }

  /** Connects (and authenticates, and selects the URL's database). */
  static async open(url: string, timeoutMs = 2000): Promise<MiniRedis> {
    const target = parseRedisUrl(url);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const options = { host: target.host, port: target.port, servername: target.host };
      const s = target.tls ? tlsConnect(options) : tcpConnect(options);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no answer from ${target.host}:${target.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once(target.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    socket.setNoDelay(true);
    const client = new MiniRedis(socket, timeoutMs);
    try {
      if (target.password !== undefined) {
        await client.command(...(target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]));
      }
      if (target.db) await client.command('SELECT', target.db);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let at = 0;
    for (;;) {
      const parsed = parseReply(this.buffer, at);
      if (!parsed) break;
      at = parsed.next;
      const p = this.pending.shift();
      if (parsed.reply instanceof RedisReplyError) p?.reject(parsed.reply);
      else p?.resolve(parsed.reply);
    }
    this.buffer = this.buffer.subarray(at);
  }

  command(...args: (string | number)[]): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('the connection to Redis is closed'));
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer ${args[0]} within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.push({
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.socket.write(encode(args));
    });
  }

  /** Every key of the selected database (SCAN, so a big database does not block Redis). */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const reply = (await this.command('SCAN', cursor, 'COUNT', 1000)) as [string, string[]];
      cursor = reply[0];
      keys.push(...reply[1]);
    } while (cursor !== '0');
    return keys;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
