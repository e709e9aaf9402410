// The orchestrator: verify(step, dir) runs the step's checks (and the
// earlier steps') against the app in `dir` and returns a Report. The CLI
// and the web UI both call it; it keeps no state between calls, stops only
// what it started, and never touches a Redis database it did not claim.
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stateDir, workspaceDir } from '../paths.ts';
import { recordRun } from '../progress.ts';
import { findStep, unknownStepMessage, workshop, type Step } from '../steps.ts';
import { runChecks, thrownAt, type Check, type CheckResult, type SlideRef } from './check.ts';
import { VerifyContext, type AppUnderTest } from './context.ts';
import { blameLostRedis, provideRedis, type SessionRedis } from './harness.ts';
import { Scope } from '../process/scope.ts';
import { loadCookieJar } from './http.ts';
import type { PackageJson } from './imports.ts';
import { isPass, makeReport, type Report } from './report.ts';
import { slideResolver } from './slide-links.ts';
import { modulesUpTo } from './step-checks.ts';
import { entryFrom } from '../entry.ts';

export type { Report } from './report.ts';
export type { CheckResult } from './check.ts';

export const DEFAULT_TIMEOUT_MS = 5000;

/** A usage error (unknown step, missing folder or package.json): one sentence, exit code 2. */
export class VerifyUsageError extends Error {
  override name = 'VerifyUsageError';
}

export interface VerifyOptions {
  /** How long an app may take to listen, and a request to answer. */
  timeoutMs?: number;
  /** Called as each check completes, in order (for streaming to a terminal or over SSE). */
  onResult?: (result: CheckResult, index: number, total: number) => void;
  /** Environment for finding redis-server, REDIS_URL and the workspace, and the apps' base environment. */
  env?: NodeJS.ProcessEnv;
  /** Record the run (and a pass) in .workshop/progress.json. Default: only when `dir` is the learner's workspace. */
  recordProgress?: boolean;
  /** Abort: stops the app and Redis at once; verify() then rejects. */
  signal?: AbortSignal;
}

/** The checks of a step: its own and every earlier step's (steps are cumulative). */
export async function checksFor(step: Step): Promise<Check<VerifyContext>[]> {
  return (await modulesUpTo(step)).flatMap((m) => m.module.checks);
}

/** What a run of `step` will check, in order, before running it (for a UI to lay out). */
export async function plan(stepName: string): Promise<{ id: string; title: string; slide: SlideRef }[]> {
  const step = findStep(stepName);
  if (!step) throw new VerifyUsageError(unknownStepMessage(stepName));
  const slides = slideResolver(workshop());
  return (await checksFor(step)).map(({ id, title, slide }) => ({ id, title, slide: slides.ref(slide) }));
}

/** The app in `dir`, or a VerifyUsageError naming the missing folder or package.json. */
export async function readApp(dir: string): Promise<AppUnderTest> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new VerifyUsageError(`There is no folder ${dir}.`);
  const pkgPath = join(dir, 'package.json');
  const text = await readFile(pkgPath, 'utf8').catch(() => undefined);
  if (text === undefined) throw new VerifyUsageError(`${pkgPath} does not exist: an app folder needs a package.json.`);
  try {
    const pkg = JSON.parse(text) as PackageJson;
    return { dir, entry: entryFrom(pkg), pkg };
  } catch (err) {
    return { dir, entry: 'app.js', pkgError: (err as Error).message };
  }
}

async function sameDir(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}

/** Checks the app in `dir` against `stepName` (`step3`, `3`). */
export async function verify(stepName: string, dir: string, options: VerifyOptions = {}): Promise<Report> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const step = findStep(stepName);
  if (!step) throw new VerifyUsageError(unknownStepMessage(stepName));
  const env = options.env ?? process.env;
  const appDir = resolve(dir);
  const app = await readApp(appDir);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const modules = await modulesUpTo(step);
  const checks = modules.flatMap((m) => m.module.checks);
  const slides = slideResolver(workshop());
  // Everything the run starts; closed in `finally`, on abort, or both.
  const scope = new Scope();
  const trace = env.WORKSHOP_TRACE === '1'
    ? // Milliseconds since the process started, so verify's own start-up shows too.
      (event: string) => process.stderr.write(`[verify ${Math.round(performance.now())} ms] ${event}\n`)
    : undefined;
  const onAbort = () => void scope.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let results: CheckResult[];
  trace?.('checking');
  try {
    options.signal?.throwIfAborted();
    // The services the step declares (workshop.json), its own for the run.
    let redis: SessionRedis | undefined;
    if (step.services.includes('redis')) {
      redis = await provideRedis(env, scope, step.name);
      trace?.(`redis: ${redis.description}`);
    }
    const diagnoses = modules.flatMap((m) => m.module.diagnose ?? []).reverse();
    const ctx = new VerifyContext({ step: step.name, app, timeoutMs, env, redis, scope, trace, diagnoses });
    // Start the slow things now, so they overlap with the quick checks:
    // the app, its files, and what each step's module starts early.
    void ctx.main().catch(() => {});
    for (const { module } of modules) module.prepare?.(ctx);
    // Once the app is spawned, load what the checks need while it boots:
    // loading earlier would hold up its start (it is CPU work on this thread).
    void ctx.spawned.then(() => {
      void loadCookieJar();
      void redis?.connect().catch(() => {});
    });
    void ctx.files().catch(() => {});
    // A failure after our own Redis exited is blamed on that as it is shown; at the end, one that
    // stopped answering (REDIS_URL's) is found by asking it.
    const shown = (r: CheckResult) => (redis?.exited() ? blameLostRedis(r, redis) : r);
    results = await runChecks(checks, ctx, (link) => slides.ref(link), (result, index) => {
      trace?.(`${result.id} ${result.status}`);
      options.onResult?.(shown(result), index, checks.length);
    }, (err) => thrownAt(err, workshop().root));
    if (redis && results.some((r) => r.status === 'failed') && !(await redis.answering())) results = results.map((r) => blameLostRedis(r, redis!));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // Waits for any start still under way, then stops everything.
    await scope.close();
    trace?.('cleaned up');
  }
  options.signal?.throwIfAborted();
  const report = makeReport(step.name, appDir, results, performance.now() - started);
  const record = options.recordProgress ?? (await sameDir(appDir, workspaceDir(env)));
  // Every run on the workspace, passing or not: the page shows each step's latest.
  if (record) await recordRun(step.name, { outcome: isPass(report) ? 'passed' : 'failed', passed: report.passed, failed: report.failed, skipped: report.skipped, at: startedAt }, stateDir(env));
  return report;
}
