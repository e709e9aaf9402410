// Ports for apps: which one we hand out, and what we say when another
// program holds it. Two verify runs at once once gave their apps the same
// port (bind(0) hands it to both), and the app that lost the race was taken
// for the one that won: its checks then judged someone else's app.
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, untilListening } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';

const holders: Server[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** This test process listens on `port`: "another program" for the child. */
async function hold(port: number): Promise<void> {
  const server = createServer();
  holders.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

describe('freePort', () => {
  it('hands out a different port each time, below the ephemeral range that bind(0) and outgoing connections use', async () => {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    expect(new Set(ports).size).toBe(40);
    for (const port of ports) expect(port).toBeLessThan(ephemeralLow!);
  });
});

describe('untilListening, when another program holds the port', () => {
  it('a child that fails on the taken port is reported as exited with its EADDRINUSE, not as listening', async () => {
    const port = await freePort();
    await hold(port);
    const child = startChild(process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`], { cwd: process.cwd() });
    try {
      const ready = await untilListening(child, port, { timeoutMs: 15_000 });
      expect(ready.state).toBe('exited');
      expect(child.log.join('\n')).toContain(`EADDRINUSE`);
    } finally {
      await child.stop();
    }
  });

  it('a child that stays up without binding it: "not ours" when the time runs out', async () => {
    const port = await freePort();
    await hold(port);
    const child = startChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: process.cwd() });
    try {
      expect((await untilListening(child, port, { timeoutMs: 1500 })).state).toBe('not-ours');
    } finally {
      await child.stop();
    }
  });
});
