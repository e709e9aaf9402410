// Issue 10: on a busy machine, a step-3 verify of an app that fails early
// printed its verdict and then never exited. Every check had ended, so
// verify cleaned up while the restart probe (running in the background) was
// about to start another instance of the app; the instance started after the
// clean-up was never stopped, and kept verify (and itself) alive. This case
// makes that window likely: both cores kept busy, and 20 real
// `npm run verify step3 -- --dir <app>` runs of apps whose checks end early,
// each of which must exit within 10 s of printing its verdict and leave
// nothing running. (test/verify-race.test.ts opens the window on purpose.)
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLine, isRunning, processFamily } from '../helpers/process-table.ts';
import { startCli, type CliRun } from '../helpers/verify-cli.ts';
import { fixturesDir, pool } from '../helpers/verify-fixtures.ts';
import { expectNoOrphans, newMarker, picture, type Marker } from './helpers.ts';

// Step-3 apps that start and listen, then fail GET / (so 13 of the 19 checks
// are skipped and the run ends while the restart probe is still going), as
// test/checks-matrix.test.ts has them.
const clientNotConnected = { name: 's3-client-not-connected', fails: ['step1.home-page'] };
const sessionAfterRoutes = { name: 's3-session-after-routes', fails: ['step1.home-page'] };
const noLocals = { name: 's3-no-locals', fails: ['step1.home-page'] };
const apps = [clientNotConnected, sessionAfterRoutes, noLocals];
// The app of the issue most often: its first GET / answers 200 and only the
// next one 500 (the store is read once the cookie comes back), so the checks
// end about when the restart probe stops its instance. On the old code about
// 1 in 3 of its runs never exited; of the other two, about 1 in 20.
const schedule = [clientNotConnected, clientNotConnected, noLocals, clientNotConnected, clientNotConnected, sessionAfterRoutes];
const RUNS = 20;
const AT_ONCE = 2;
const EXIT_WITHIN_MS = 10_000;
/** Room for a run to reach its verdict with both cores busy and another verify beside it. */
const VERDICT_WITHIN_MS = 90_000;
/** How long an app may take to listen (verify's --timeout). */
const APP_TIMEOUT_MS = 20_000;
const VERDICT = /^(\d+) passed, (\d+) failed$/m;

/** Two `node -e 'for(;;){}'`: both cores of the machine kept busy. They carry the case's marker. */
function busyLoops(m: Marker, count = 2): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { env: { ...process.env, ...m.env }, stdio: 'ignore' }),
  );
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
    ),
  );
}

const sleep = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms));

const argsOf = (pid: number): string => commandLine(pid) ?? '(gone)';

/** Live processes descending from `root` (by parent pid, at any depth), with their command lines. */
const descendants = (root: number) => processFamily([root], []).map((pid) => ({ pid, args: argsOf(pid) }));

interface Outcome {
  /** What went wrong, one entry per problem; empty for a clean run. */
  problems: string[];
  /** The throwaway redis-server(s) verify started, with their titles: found as its descendants (Redis wipes its environment, so the marker cannot find them). */
  redis: { pid: number; args: string }[];
  /** The port verify says its redis-server had (from WORKSHOP_TRACE). */
  redisPort?: number;
  /** From the verdict line to the exit. */
  exitAfterMs?: number;
}

/** One verify through the real CLI, as a learner runs it; watched from start to exit. */
async function oneRun(index: number, app: (typeof apps)[number], m: Marker): Promise<Outcome> {
  const label = `run ${index + 1}/${RUNS} (${app.name})`;
  const problems: string[] = [];
  const redis = new Map<number, string>();
  // WORKSHOP_TRACE=1 makes verify log its steps to stderr ("cleaned up",
  // "second instance: starting"): the story of a run that does not exit.
  // --timeout: with both cores busy an app can take more than the default
  // 5 s to listen, and the verdict would be "does not listen" instead.
  const run: CliRun = startCli(['step3', '--dir', join(fixturesDir, app.name), '--timeout', String(APP_TIMEOUT_MS)], {
    ...m.env,
    WORKSHOP_TRACE: '1',
  });
  const pid = run.child.pid ?? -1;
  let exited = false;
  void run.done.then(() => (exited = true));
  // Redis lives for seconds, from the start of the run to its clean-up: sampling finds it.
  const lookForRedis = () => {
    // The latest title: the first look may come before Redis retitles itself.
    if (!exited) for (const p of descendants(pid)) if (p.args.includes('redis-server')) redis.set(p.pid, p.args);
  };
  const sampler = setInterval(lookForRedis, 100);
  const found = () => [...redis].map(([p, args]) => ({ pid: p, args }));
  const trace = () => run.stderr().trim().split('\n').slice(-8).map((l) => `    ${l}`).join('\n');
  try {
    const verdict = await Promise.race([
      run.waitFor(VERDICT, VERDICT_WITHIN_MS).then(() => 'verdict' as const, () => 'no verdict' as const),
      run.done.then(() => 'exited' as const),
    ]);
    if (verdict !== 'verdict' && !VERDICT.test(run.stdout())) {
      const how = verdict === 'exited' ? `exited (${(await run.done).code ?? (await run.done).signal})` : `was still running after ${VERDICT_WITHIN_MS / 1000} s`;
      problems.push(`${label}: ${how} without a verdict line.\n  stdout:\n${run.stdout()}\n  stderr:\n${run.stderr()}`);
      return { problems, redis: found() };
    }
    const sawVerdict = performance.now();
    lookForRedis();
    const ended = await Promise.race([run.done, sleep(EXIT_WITHIN_MS)]);
    const exitAfterMs = Math.round(performance.now() - sawVerdict);
    if (ended === 'timeout') {
      const left = descendants(pid)
        .filter((p) => !/^sh -c\s+trap ''/.test(p.args)) // verify's watchdog shell
        .map((p) => `${p.pid} ${p.args}`);
      problems.push(
        `${label}: printed its verdict "${VERDICT.exec(run.stdout())?.[0]}" and had not exited ${EXIT_WITHIN_MS / 1000} s later. ` +
          `Still running under it: ${left.length ? left.join('; ') : 'nothing'}.\n  Its trace ended:\n${trace()}`,
      );
      // Stop it as a learner would (Ctrl-C's sibling), then for good, so the test does not hang.
      run.child.kill('SIGTERM');
      if ((await Promise.race([run.done, sleep(5000)])) === 'timeout') run.child.kill('SIGKILL');
      await run.done;
    } else {
      // The verdict, so that a run that passed or broke for another reason is not a clean exit.
      const failed = [...run.stdout().matchAll(/^ {2}✖ .+ {2}(\S+) {2}\d+ ms$/gm)].map((x) => x[1]);
      if (ended.code !== 1) problems.push(`${label}: exit code ${ended.code ?? ended.signal}, not 1.\n  stdout:\n${run.stdout()}\n  stderr:\n${run.stderr()}`);
      if (JSON.stringify(failed) !== JSON.stringify(app.fails)) {
        problems.push(`${label}: failed ${JSON.stringify(failed)} instead of ${JSON.stringify(app.fails)}.\n  stdout:\n${run.stdout()}`);
      }
    }
    const redisPort = Number(/a throwaway redis-server on port (\d+)/.exec(run.stderr())?.[1]) || undefined;
    return { problems, redis: found(), redisPort, exitAfterMs };
  } finally {
    clearInterval(sampler);
    if (!exited) run.child.kill('SIGKILL');
    await run.done;
  }
}

describe('verifies that fail early, on a busy machine (issue 10)', () => {
  // 20 runs, 2 at a time, on two cores kept busy: ~80 s when each exits at
  // once (a step-3 run is ~3 s on an idle machine, ~8 s here), more when the
  // machine is busier still; each run that does not exit costs 15 s more
  // (10 s waiting, then its stop). 300 s leaves room for all of that, where
  // a stuck verify would otherwise hold the test forever.
  it(`${RUNS} verifies of early-failing apps with both cores busy each exit within ${EXIT_WITHIN_MS / 1000} s of their verdict, nothing left running`, async () => {
    const m = newMarker();
    const before = await Promise.all(apps.map((a) => picture(join(fixturesDir, a.name))));
    const load = busyLoops(m);
    let outcomes: Outcome[] = [];
    try {
      outcomes = await pool(
        Array.from({ length: RUNS }, (_, i) => () => oneRun(i, schedule[i % schedule.length]!, m)),
        AT_ONCE,
      );
    } finally {
      await stopAll(load);
    }
    const problems = outcomes.flatMap((o) => o.problems);
    const delays = outcomes.flatMap((o) => (o.exitAfterMs === undefined || o.exitAfterMs >= EXIT_WITHIN_MS ? [] : [o.exitAfterMs]));
    // Soft, so that the checks below (nothing left running) still run after a stuck verify.
    expect
      .soft(problems, `${problems.length} problem(s) in ${RUNS} runs (the ${delays.length} clean exits came at most ${Math.max(0, ...delays)} ms after the verdict)`)
      .toEqual([]);

    // Nothing left running: every process carrying the marker (verify, its
    // apps, the busy loops) ...
    await expectNoOrphans(m);
    // ... and verify's throwaway redis-servers, which the marker cannot find:
    // redis-server writes its title over its environment, so its
    // /proc/<pid>/environ is all zeroes. Each run's was found while the run
    // went on, as a descendant of that verify; for a run that reached its verdict,
    // exactly one, on the port verify named (so the search is not vacuous).
    for (const [i, o] of outcomes.entries()) {
      if (o.redisPort === undefined) continue;
      expect.soft(o.redis.map((r) => r.args), `run ${i + 1}: its one redis-server, on port ${o.redisPort}`).toEqual([
        expect.stringMatching(new RegExp(`redis-server.*(?:127\\.0\\.0\\.1:|--port )${o.redisPort}\\b`)),
      ]);
    }
    const deadline = Date.now() + 5000;
    const redisLeft = () => outcomes.flatMap((o) => o.redis).filter((r) => isRunning(r.pid) && argsOf(r.pid).includes('redis-server'));
    while (redisLeft().length && Date.now() < deadline) await sleep(50);
    expect.soft(redisLeft().map((r) => `${r.pid} ${r.args}`), 'redis-servers left running').toEqual([]);

    // Nothing lost: the apps' folders are as they were.
    expect(await Promise.all(apps.map((a) => picture(join(fixturesDir, a.name))))).toEqual(before);
  }, 300_000);
});
