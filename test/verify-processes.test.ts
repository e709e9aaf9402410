// Nothing verify starts outlives it: not after a normal run, not after
// Ctrl-C in the middle of one, not when verify itself is killed, and not
// when a caller in the same process aborts it.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verify } from '../runner/verify/verify.ts';
import { isRunning, processesWithEnv, redisChildren } from './helpers/process-table.ts';
import { repo, startCli } from './helpers/verify-cli.ts';

const step3 = join(repo, 'steps/step3');

function mark(): { name: string; value: string; marker: string } {
  const name = 'VERIFY_PROCESS_TEST';
  const value = randomUUID();
  return { name, value, marker: `${name}=${value}` };
}

// runner/process/watchdog.ts's shell lives as long as the process that
// started it (here, in-process, the test worker): it is not verify's.
const isWatchdog = (args: string) => args.startsWith('sh -c') && args.includes("trap ''");

async function gone(marker: string, ms = 5000): Promise<string[]> {
  const left = () => processesWithEnv(marker).filter((p) => !isWatchdog(p.args));
  const deadline = Date.now() + ms;
  let found = left();
  while (found.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    found = left();
  }
  return found.map((p) => `${p.pid} ${p.args}`);
}

/** Waits until verify has started the apps (and so Redis): the middle of a run. Returns Redis's pid. */
async function untilAppsRun(marker: string, parent: number): Promise<number[]> {
  const deadline = Date.now() + 20_000;
  while (processesWithEnv(marker).filter((p) => p.args.includes('app.js')).length < 2) {
    if (Date.now() > deadline) throw new Error('verify never started the apps');
    await new Promise((r) => setTimeout(r, 20));
  }
  const redis = redisChildren(parent);
  expect(redis).toHaveLength(1);
  return redis;
}

/** Of `pids`, those still running after up to `ms` (a SIGKILL sent by the watchdog takes a moment to land). */
async function stillRunning(pids: number[], ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(isRunning);
}

describe('no process verify started outlives it', () => {
  it('after a full run', async () => {
    const m = mark();
    const run = startCli(['step3', '--dir', step3], { [m.name]: m.value });
    const redis = await untilAppsRun(m.marker, run.child.pid ?? -1);
    expect((await run.done).code).toBe(0);
    expect(await gone(m.marker, 2000)).toEqual([]);
    expect(await stillRunning(redis)).toEqual([]);
  });

  it('after Ctrl-C in the middle of a run', async () => {
    const m = mark();
    const run = startCli(['step3', '--dir', step3], { [m.name]: m.value });
    const redis = await untilAppsRun(m.marker, run.child.pid ?? -1);
    run.child.kill('SIGINT');
    expect((await run.done).code).toBe(130);
    expect(await gone(m.marker)).toEqual([]);
    expect(await stillRunning(redis)).toEqual([]);
  });

  it('after verify itself is killed (SIGKILL)', async () => {
    const m = mark();
    const run = startCli(['step3', '--dir', step3], { [m.name]: m.value });
    const redis = await untilAppsRun(m.marker, run.child.pid ?? -1);
    run.child.kill('SIGKILL');
    await run.done;
    expect(await gone(m.marker)).toEqual([]);
    expect(await stillRunning(redis)).toEqual([]);
  });

  it('when an in-process caller aborts, and after an in-process run', async () => {
    const m = mark();
    process.env[m.name] = m.value;
    try {
      const controller = new AbortController();
      const aborted = verify('step3', step3, { signal: controller.signal, recordProgress: false });
      const redis = await untilAppsRun(m.marker, process.pid);
      controller.abort();
      await expect(aborted).rejects.toThrow(/abort/i);
      expect(await gone(m.marker)).toEqual([]);
      expect(await stillRunning(redis)).toEqual([]);

      const report = await verify('step3', step3, { recordProgress: false });
      expect(report.failed).toBe(0);
      expect(await gone(m.marker, 1000)).toEqual([]);
    } finally {
      delete process.env[m.name];
    }
  });
});
