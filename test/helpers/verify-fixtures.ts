// Running verify() over many app folders at once, with bounded concurrency:
// each step-3 run boots three apps and a redis-server, and a 2-core CI
// machine gives wrong verdicts (timeouts) if all of them start together.
import { fileURLToPath } from 'node:url';
import { verify, type Report, type VerifyOptions } from '../../checks/verify.ts';

export const fixturesDir = fileURLToPath(new URL('../fixtures/apps/', import.meta.url));
export const stepsDir = fileURLToPath(new URL('../../steps/', import.meta.url));

/** Runs `tasks` with at most `limit` at a time; results in the tasks' order. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export interface Verdict {
  failed: string[];
  skipped: string[];
  passed: string[];
  report: Report;
}

export async function verdict(step: string, dir: string, options: VerifyOptions = {}): Promise<Verdict> {
  const report = await verify(step, dir, { recordProgress: false, ...options });
  const ids = (status: string) => report.checks.filter((c) => c.status === status).map((c) => c.id);
  return { failed: ids('failed'), skipped: ids('skipped'), passed: ids('passed'), report };
}
