// Waiting for an app to listen on a machine whose cores are busy with other
// work. Two things went wrong there, both made to happen every time here:
//
// - verify's own event loop stalls (this process waits for a CPU), and the
//   probe's timer, run before the I/O that came in meanwhile, called a port
//   that accepted the connection "not listening";
// - the app waits for a CPU: a boot of 1 s of CPU took 5 s on the clock, and
//   a correct app failed `step1.listens` (and, as the fresh copy, step 3's
//   restart checks) at the 5 s bound. The bound is now the app's own time:
//   the clock's, less what the app spent waiting for a CPU.
//
// The slow machine is made, not hoped for: the child is pinned to one CPU
// (taskset) beside a busy loop pinned there too, and niced, so that it gets
// about a tenth of that CPU, whatever the rest of the machine does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STRETCH, ownTime, startChild, untilListening, type Child } from '../runner/process/child.ts';
import { freePort, isListening } from '../runner/process/ports.ts';
import { cpuWaitMs } from '../runner/process/table.ts';

const started: Child[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop(0)));
});

const linux = existsSync('/proc/self/schedstat') && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/**
 * `node -e script` on CPU 0, niced, beside a busy loop on CPU 0 at normal
 * priority: it gets about a tenth of that CPU (weights 110 and 1024). Both
 * in one session, as nice only weighs within one (Linux's autogroups): the
 * loop is started by the shell that then becomes the app, so it is in the
 * app's process group, and stopped with it.
 */
function starved(script: string, env: NodeJS.ProcessEnv = {}): Child {
  const shell = `"$0" -e 'for (;;);' & exec nice -n 10 "$0" -e "$1"`;
  const child = startChild('taskset', ['-c', '0', 'sh', '-c', shell, process.execPath, script], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
  });
  started.push(child);
  return child;
}

/** Spends `ms` of CPU, then listens on PORT (a boot that is all work: modules loaded, views compiled). */
const bootThenListen = (ms: number) =>
  `const t = process.cpuUsage(); while ((({ user, system }) => user + system)(process.cpuUsage(t)) < ${ms * 1000});` +
  `require('node:net').createServer().listen(Number(process.env.PORT), '127.0.0.1');`;

describe('isListening, after our event loop stalled', () => {
  it('a port that accepted the connection during the stall is listening', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const answer = isListening(port, '127.0.0.1', 100);
      // The stall: nothing of ours runs for four times the probe's timeout.
      const until = performance.now() + 400;
      while (performance.now() < until);
      expect(await answer).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe.runIf(linux)('untilListening, for an app waiting for a CPU', () => {
  it('counts the app\'s own time: an app that needs 0.2 s of CPU listens, though it takes longer than the bound on the clock', async () => {
    const port = await freePort();
    const app = starved(bootThenListen(200), { PORT: String(port) });
    const t = performance.now();
    // However long it takes: how busy the rest of the machine is changes the clock's time, not the app's.
    const ready = await untilListening(app, port, { timeoutMs: 1500, maxStretch: 100 });
    const clock = performance.now() - t;
    expect(ready.state).toBe('listening');
    // The slow path did happen: on the clock, the bound of the old wait had passed.
    expect(clock).toBeGreaterThan(1500);
    // And the time not counted is time it waited for a CPU.
    expect(cpuWaitMs(app.pid)).toBeGreaterThan(clock - 1500);
  }, 60_000);

  it('still ends the wait for an app that works without ever listening, at most MAX_STRETCH times the bound on the clock', async () => {
    const app = starved('for (;;);');
    const t = performance.now();
    const ready = await untilListening(app, await freePort(), { timeoutMs: 500 });
    const clock = performance.now() - t;
    expect(ready.state).toBe('timeout');
    expect(clock).toBeGreaterThanOrEqual(500);
    expect(clock).toBeLessThan(500 * MAX_STRETCH + 2000);
  }, 60_000);

  it('does not stretch the wait for an app that waits on nothing: its time is all its own', async () => {
    const app = startChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: process.cwd() });
    started.push(app);
    const t = performance.now();
    const ready = await untilListening(app, await freePort(), { timeoutMs: 1000 });
    const clock = performance.now() - t;
    expect(ready).toMatchObject({ state: 'timeout' });
    expect(clock).toBeLessThan(1000 + 1500);
    const start = { at: t, cpuWaitMs: 0 };
    expect(ownTime(app.pid, start)).toBeGreaterThan(clock * 0.5);
  }, 30_000);
});
