// Running verify() over many app folders at once, with bounded concurrency:
// each step-3 run boots three apps and a redis-server, and a 2-core CI
// machine gives wrong verdicts (timeouts) if all of them start together.
import { fileURLToPath } from 'node:url';
import { withFixtureApp } from '../../runner/verify/fixture.ts';
import { verify, type Report, type VerifyOptions } from '../../runner/verify/verify.ts';

export const fixturesDir = fileURLToPath(new URL('../fixtures/apps/', import.meta.url));
export const stepsDir = fileURLToPath(new URL('../../steps/', import.meta.url));

// One pool for the content check and the tests: bounded concurrency, results in order.
export { pool } from '../../runner/verify/content-check.ts';

export interface Verdict {
  failed: string[];
  skipped: string[];
  passed: string[];
  report: Report;
}

/** An app folder, or an overlay fixture's (its files over `base`, less `remove`), as the content check's cases name them. */
export interface AppFolder {
  dir: string;
  base?: string;
  remove?: readonly string[];
}

/** The verdict of `step` on an app: a folder, or an overlay fixture, run as the content check runs it (runner/verify/fixture.ts). */
export async function verdict(step: string, app: string | AppFolder, options: VerifyOptions = {}): Promise<Verdict> {
  const report = await withFixtureApp(typeof app === 'string' ? { dir: app } : app, (dir) => verify(step, dir, { recordProgress: false, ...options }));
  const ids = (status: string) => report.checks.filter((c) => c.status === status).map((c) => c.id);
  return { failed: ids('failed'), skipped: ids('skipped'), passed: ids('passed'), report };
}
