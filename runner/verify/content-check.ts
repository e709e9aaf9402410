// The content check (`npm run workshop -- check-content`), like rustlings'
// `dev check`: a workshop is right when every step's solution passes its
// own checks, the app before it (the previous solution, or the start)
// fails some of them, every fixture (an app folder with a verdict.json)
// gets exactly its verdict, and every deck and slide link lints clean.
// A fixture that is an overlay (verify/fixture.ts) runs as its base with its
// files over it, and is named by its own folder.
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Workshop } from '../description.ts';
import { workshop } from '../steps.ts';
import { lintDecks } from '../deck/lint.ts';
import type { Problem } from '../deck/problem.ts';
import { lintChecks } from './check-lint.ts';
import { FixtureError, readFixture, withFixtureApp } from './fixture.ts';
import { loadStepChecks } from './step-checks.ts';
import { verify, type Report } from './verify.ts';

/** One app and the verdict it must get. */
export interface ContentCase {
  name: string;
  step: string;
  dir: string;
  /** Exactly these checks fail; or, for the app before a step, at least one of `ofStep`'s own. */
  fails: string[] | { someOf: string[] };
  /** With `fails` a list: exactly these are skipped (none when absent), and every other check passes. */
  skips?: string[];
  /** The first failure's hint matches this (a regular expression's source). */
  hint?: string;
  timeoutMs?: number;
  /** An overlay fixture: `dir` holds only its own files, run over this folder (absolute) less `remove`. */
  base?: string;
  remove?: string[];
  /** Why the case cannot run at all (a verdict.json that is wrong): its verdict, without running. */
  invalid?: string;
}

/** The cases of a workshop, solutions first, then its fixtures in name order. */
export async function contentCases(workshop: Workshop): Promise<ContentCase[]> {
  const cases: ContentCase[] = [];
  const rel = (dir: string) => relative(workshop.root, dir);
  for (const step of workshop.steps) {
    cases.push({ name: `${rel(step.dir)} passes ${step.name}`, step: step.name, dir: step.dir, fails: [] });
  }
  for (const [i, step] of workshop.steps.entries()) {
    const before = i === 0 ? workshop.start : workshop.steps[i - 1]!.dir;
    // A module that cannot be loaded: the case's run says why (and so does the lint).
    const own = await loadStepChecks(step).then((m) => m.checks.map((c) => c.id), () => []);
    cases.push({ name: `${rel(before)} fails ${step.name}`, step: step.name, dir: before, fails: { someOf: own } });
  }
  if (workshop.fixtures) {
    const names = (await readdir(workshop.fixtures, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const name of names) {
      const dir = join(workshop.fixtures, name);
      let fixture;
      try {
        fixture = await readFixture(dir, workshop.root);
      } catch (err) {
        if (!(err instanceof FixtureError)) throw err;
        cases.push({ name: rel(dir), step: '', dir, fails: [], invalid: err.message });
        continue;
      }
      if (!fixture) continue; // a fixture judged by a test of its own (it needs a special environment)
      const v = fixture.verdict;
      cases.push({
        name: `${rel(dir)} as ${v.step}`, step: v.step, dir, fails: v.fails, skips: v.skips ?? [], hint: v.hint, timeoutMs: v.timeoutMs,
        ...(fixture.base ? { base: fixture.base, remove: fixture.remove } : {}),
      });
    }
  }
  return cases;
}

/** Why a report is not the verdict a case expects; undefined when it is. */
export function judgeCase(c: ContentCase, report: Report): string | undefined {
  // A check that threw is the workshop's bug, whatever the app does: said first, and as such.
  const broken = report.checks.filter((r) => r.broken);
  if (broken.length) return broken.map((r) => `check ${r.id} is broken (a bug in the workshop's checks, not in the app): ${r.message}`).join('; ');
  const failed = report.checks.filter((r) => r.status === 'failed').map((r) => r.id);
  if (Array.isArray(c.fails)) {
    const want = [...c.fails].sort();
    const got = [...failed].sort();
    if (want.join() !== got.join()) return `expected ${want.length ? `exactly ${want.join(', ')} to fail` : 'every check to pass'}; ${got.length ? `${got.join(', ')} failed` : 'every check passed'}.`;
    // The rest is pinned too: a check that silently turned "skipped" would otherwise pass unseen.
    const skipped = report.checks.filter((r) => r.status === 'skipped').map((r) => r.id).sort();
    const wantSkipped = [...(c.skips ?? [])].sort();
    if (wantSkipped.join() !== skipped.join()) return `expected ${wantSkipped.length ? `exactly ${wantSkipped.join(', ')} to be skipped` : 'no check to be skipped'}; ${skipped.length ? `${skipped.join(', ')} ${skipped.length === 1 ? 'was' : 'were'} skipped` : 'none was'}.`;
  } else {
    const own = c.fails.someOf;
    if (!failed.some((id) => own.includes(id))) return `expected some of ${c.step}'s own checks to fail; ${failed.length ? `only ${failed.join(', ')} failed` : 'every check passed'}.`;
  }
  if (c.hint) {
    const first = report.checks.find((r) => r.status === 'failed');
    if (!first || !new RegExp(c.hint).test(first.hint)) return `expected the hint of ${first?.id ?? 'the first failure'} to match /${c.hint}/; it is “${first?.hint ?? ''}”.`;
  }
  return undefined;
}

export interface CaseResult {
  case: ContentCase;
  report?: Report;
  /** Undefined when the verdict is the expected one. */
  problem?: string;
}

/** Runs `tasks` with at most `limit` at a time; results in the tasks' order. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export async function runCase(c: ContentCase, env: NodeJS.ProcessEnv = process.env): Promise<CaseResult> {
  if (c.invalid) return { case: c, problem: c.invalid };
  try {
    // An overlay runs in a temporary folder, removed when its run ends, whatever the app did.
    const report = await withFixtureApp(c, (dir) => verify(c.step, dir, { recordProgress: false, timeoutMs: c.timeoutMs ?? 15_000, env }));
    return { case: c, report, problem: judgeCase(c, report) };
  } catch (err) {
    return { case: c, problem: `verify could not run: ${(err as Error).message}` };
  }
}

export interface ContentReport {
  cases: CaseResult[];
  lint: Problem[];
}

/**
 * The whole content check of the workshop this process serves (the deck
 * lint reads it). Two apps at a time by default: a step with a second
 * instance boots three processes.
 */
export async function checkContent(options: { concurrency?: number; env?: NodeJS.ProcessEnv; onCase?: (r: CaseResult) => void } = {}): Promise<ContentReport> {
  const lint = [...lintDecks(), ...(await lintChecks(workshop()))];
  const cases = await contentCases(workshop());
  const results = await pool(
    cases.map((c) => async () => {
      const r = await runCase(c, options.env);
      options.onCase?.(r);
      return r;
    }),
    options.concurrency ?? 2,
  );
  return { cases: results, lint };
}
