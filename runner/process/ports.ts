// Ports on loopback: find a free one, and wait for one to accept connections.
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

/**
 * A port that was free on 127.0.0.1 and ::1 a moment ago. Picked at random
 * below the kernel's ephemeral range, not by binding port 0: bind(0) hands
 * concurrent processes the same few ports in turn, so two runs on one
 * machine could give the same PORT to two apps, and outgoing connections
 * never take a port from below that range. A port is not handed out twice
 * by one process.
 */
export async function freePort(): Promise<number> {
  const [low, high] = PICK_RANGE;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (given.has(port)) continue;
    if ((await isPortFree(port)) && (await canBind(port, '::1')) !== false) {
      given.add(port);
      return port;
    }
  }
  return anyPort();
}

const given = new Set<number>();
const PICK_RANGE = pickRange();

/** From 20000 up to the start of the ephemeral range (32768 by default on Linux). */
function pickRange(): [number, number] {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: keep the default
  }
  return ephemeralLow > 21000 ? [20000, ephemeralLow] : [40000, 60000];
}

/** Any port the kernel finds free: the fallback when the range above is full. */
function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when nothing listens on `port` at `host`, and we could bind it. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await canBind(port, host)) === true;
}

/** Whether `port` can be bound at `host`; undefined when the host has no such address (no IPv6). */
function canBind(port: number, host: string): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? false : undefined));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when a TCP connection to the port succeeds. The give-up goes through
 * setImmediate: after our event loop was stalled (a busy machine leaves
 * this process waiting for a CPU), an expired timer runs before the I/O that
 * came in meanwhile, and would call a connection that was made "no".
 */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => setImmediate(() => done(false)));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
