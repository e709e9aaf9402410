// The suite's own leftover check (test/global-setup.ts) must see every
// process a test file starts and forgets, redis-server included: it rewrites
// its environment when it sets its title, so the environment marker alone
// cannot find it. Each case runs vitest on one file of
// test/fixtures/leftovers under that same global setup.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/repo.ts';
import { newMarker } from './faults/helpers.ts';
import { leftovers } from './helpers/leftovers.ts';
import { isRunning, waitUntilGone } from './helpers/process-table.ts';

const config = join(repoRoot, 'test/fixtures/leftovers/vitest.config.ts');

// A temporary folder per case, for what its processes leave behind: the spawn log, and the socket
// file of a redis-server the check stopped with SIGKILL (which has no chance to remove it).
let tmp = '';
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'leftover-check-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function runFixture(name: string) {
  const run = await execa(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, name], {
    cwd: repoRoot,
    reject: false,
    all: true,
    env: { NO_COLOR: '1', TMPDIR: tmp },
    timeout: 60_000,
  });
  return { exitCode: run.exitCode, output: run.all ?? '' };
}

describe('the suite fails when a test file leaves a process running', () => {
  it('a redis-server started and forgotten fails the run, named, and is stopped', async () => {
    const run = await runFixture('leaks-redis');
    expect(run.output).toMatch(/1 passed/); // the test itself passed: only the leftover check fails the run
    expect(run.exitCode).not.toBe(0);
    const leftover = /left 1 process\(es\) running:\n\s+(\d+) redis-server/;
    expect(run.output).toMatch(leftover);
    const pid = Number(leftover.exec(run.output)?.[1]);
    // SIGKILLed as the run ended: on a busy machine it may take a moment to be gone.
    await waitUntilGone(pid).catch(() => {});
    expect(isRunning(pid), 'the check stops what it found').toBe(false);
  });

  it('a node server started and forgotten fails the run', async () => {
    const run = await runFixture('leaks-node');
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/left 1 process\(es\) running:\n\s+\d+ \S*node -e/);
  });

  it('a redis-server stopped before the test ends leaves the run green', async () => {
    const run = await runFixture('stops-redis');
    expect(run.output).not.toMatch(/left \d+ process/);
    expect(run.exitCode).toBe(0);
  });
});

describe('one case\'s leftovers (expectNoOrphans in test/faults)', () => {
  it('finds the redis-server that a process carrying the case\'s marker started and left, after that process ended', async () => {
    const m = newMarker();
    // A Node process of the case starts redis-server detached, prints its pid and exits: the server is orphaned.
    const socket = join(tmp, 'redis.sock');
    const script = `const c = require('node:child_process').spawn('redis-server', ['--port', '0', '--unixsocket', ${JSON.stringify(socket)}, '--save', ''], { detached: true, stdio: 'ignore' }); c.unref(); c.once('spawn', () => console.log(c.pid));`;
    const { stdout } = await execa(process.execPath, ['-e', script], { env: m.env });
    const redis = Number(stdout.trim());
    try {
      expect(isRunning(redis)).toBe(true);
      expect(leftovers(m.marker).map((p) => p.pid)).toContain(redis);
      expect(leftovers(newMarker().marker).map((p) => p.pid), 'another case does not claim it').not.toContain(redis);
    } finally {
      process.kill(redis, 'SIGKILL');
      await waitUntilGone(redis);
    }
  });
});
