// What a check is, what it reports, and how a list of them runs: in order,
// each after the checks it needs, a check whose need failed being skipped
// with the reason instead of failing in a cascade.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineRoot } from '../paths.ts';
import type { VerifyContext } from './context.ts';

/**
 * A slide, named as a check's author names it: the deck (a step's name) and
 * a heading of the slide, or its title ("app.js: Configure a new session"),
 * never its number: editing a deck cannot silently move a link.
 */
export interface SlideLink {
  deck: string;
  heading: string;
}

/** A slide as a learner is shown it: resolved from the deck when the checks run. */
export interface SlideRef {
  deck: string;
  /** 1-based; 0 when the deck has no such slide (`workshop -- lint` says so). */
  slide: number;
  title: string;
  /** The deck file, relative to the workshop's folder: `slides/step3.md`. */
  file: string;
}

export type Status = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  /** What was observed (and, on failure, against what was expected). */
  message: string;
  /** On failure: what to do about it. Empty otherwise. */
  hint: string;
  slide: SlideRef;
  ms: number;
  /** When skipped because a check it needs did not pass: that check's id. */
  blockedBy?: string;
  /** The check itself threw (not CheckFailed, not CannotCheck): a bug in the workshop's checks, not a verdict on the app. */
  broken?: true;
}

export interface Check<Ctx> {
  /** Stable, e.g. `step3.counter`: tests, the web UI and learners' reports rely on it. */
  id: string;
  /** One line a learner understands. */
  title: string;
  /** The slide that teaches what the check judges. */
  slide: SlideLink;
  /** Ids of checks that must pass first; if one did not, this one is skipped. */
  needs?: string[];
  /** Resolves with a message on success; throws CheckFailed or CannotCheck otherwise. */
  run(ctx: Ctx): Promise<string>;
}

/** The clause does not hold: what was seen against what was expected, and a hint. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
  constructor(
    message: string,
    readonly hint = '',
    /** The slide that teaches the fix, when the diagnosis points elsewhere than the check's own slide. */
    readonly slide?: SlideLink,
  ) {
    super(message);
  }
}

/** The clause cannot be judged because of an earlier failure (said in `message`). */
export class CannotCheck extends Error {
  override name = 'CannotCheck';
}


const inside = (dir: string, file: string) => {
  const path = relative(dir, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
};

/** Each built file's source map (runner/launch.js writes one beside each), read when first needed; null: none. */
const sourceMaps = new Map<string, SourceMap | null>();

/**
 * A stack frame's place in its source: the runner's build (runner/launch.js)
 * writes a source map beside each file, read here only when a check threw
 * (Node's own source-map support, enabled at start, would cost every command
 * ~20 ms reading the maps of every module it loads). A file without a map
 * (run from source) is its own source.
 */
function sourceOf(file: string, line: number, column: number): { file: string; line: number } {
  if (!file.endsWith('.js')) return { file, line };
  let map = sourceMaps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  const entry = map?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return { file, line };
  return { file: resolve(dirname(file), entry.originalSource), line: entry.originalLine + 1 };
}

/**
 * Where a check threw, as its author finds it: the first frame of the
 * stack in the workshop's own files (its checks modules and their helpers;
 * not the engine, not node_modules), relative to the workshop's folder:
 * `checks/api.ts:12`, a line of the TypeScript source.
 */
export function thrownAt(err: unknown, workshopRoot: string): string | undefined {
  const stack = err instanceof Error ? err.stack ?? '' : '';
  for (const text of stack.split('\n')) {
    const frame = /^\s*at (?:.*? \()?((?:file:\/\/)?[^()]+?):(\d+):(\d+)\)?$/.exec(text);
    if (!frame) continue;
    let file = frame[1]!;
    try {
      if (file.startsWith('file://')) file = fileURLToPath(file);
    } catch {
      continue;
    }
    if (!isAbsolute(file)) continue;
    const at = sourceOf(file, Number(frame[2]), Number(frame[3]));
    if (!inside(workshopRoot, at.file) || inside(engineRoot, at.file) || at.file.split(sep).includes('node_modules')) continue;
    return `${relative(workshopRoot, at.file)}:${at.line}`;
  }
  return undefined;
}

/** `(see “<title>”)`: another check of the step, named by its title as the learner sees it listed. */
export function seeCheck<C>(checks: readonly Check<C>[], id: string): string {
  const check = checks.find((c) => c.id === id);
  if (!check) throw new Error(`There is no check ${id} to refer to.`);
  return `(see “${check.title}”)`;
}

export function fail(message: string, hint = '', slide?: SlideLink): never {
  throw new CheckFailed(message, hint, slide);
}

// The need by its title, as the learner sees it listed; its id stays in the
// result's own fields (JSON output), not in the sentence.
function skipReason(need: CheckResult): string {
  return `Not checked: it needs “${need.title}”, which ${need.status === 'failed' ? 'failed' : 'was not checked either'}.`;
}

/**
 * Runs the checks in order. Each result is passed to `onResult` as soon as it
 * is known, with its index in the list.
 */
export async function runChecks<Ctx>(
  checks: readonly Check<Ctx>[],
  ctx: Ctx,
  slideOf: (link: SlideLink) => SlideRef,
  onResult?: (result: CheckResult, index: number) => void,
  /** Where a check that threw went wrong (`checks/api.ts:12`), for its author: see thrownAt. */
  whereThrown?: (err: unknown) => string | undefined,
): Promise<CheckResult[]> {
  const byId = new Map<string, CheckResult>();
  const results: CheckResult[] = [];
  for (const [index, check] of checks.entries()) {
    const base = { id: check.id, title: check.title, slide: slideOf(check.slide) };
    let result: CheckResult;
    const unmet = (check.needs ?? []).map((id) => byId.get(id)).find((r) => r && r.status !== 'passed');
    if (unmet) {
      result = { ...base, status: 'skipped', message: skipReason(unmet), hint: '', ms: 0, blockedBy: unmet.id };
    } else {
      const started = performance.now();
      try {
        const message = await check.run(ctx);
        result = { ...base, status: 'passed', message, hint: '', ms: 0 };
      } catch (err) {
        if (err instanceof CheckFailed) {
          result = { ...base, slide: err.slide ? slideOf(err.slide) : base.slide, status: 'failed', message: err.message, hint: err.hint, ms: 0 };
        } else if (err instanceof CannotCheck) {
          result = { ...base, status: 'skipped', message: `Not checked: ${err.message}`, hint: '', ms: 0 };
        } else {
          // A bug in the check, not in the learner's app: say so rather than blame them.
          const text = err instanceof Error ? err.message : String(err);
          const at = whereThrown?.(err);
          result = {
            ...base,
            status: 'failed',
            message: `The check itself went wrong${at ? ` at ${at}` : ''}: ${text}`,
            hint: 'This is likely a bug in the workshop, not in your app: please report it with this output.',
            ms: 0,
            broken: true,
          };
        }
      }
      result.ms = Math.round(performance.now() - started);
    }
    byId.set(check.id, result);
    results.push(result);
    onResult?.(result, index);
  }
  return results;
}

/** What an app's error text (its stderr, or a 500 page) most likely means: a hint, and the slide that teaches the fix. */
export interface Diagnosis {
  hint: string;
  slide?: SlideLink;
}

/** Facts a diagnosis may use: the port the app was given, and the Redis port (when the step has Redis). */
export type Diagnose = (text: string, facts: { port?: number; redisPort?: number }) => Diagnosis | undefined;

/**
 * A step's checks module (named by `checks` in workshop.json) exports this
 * as its default: the step's own checks (a run of the step also runs every
 * earlier step's, in order), and optionally what to start as soon as a run
 * begins, and how to read an app's errors.
 */
export interface StepChecks {
  checks: Check<VerifyContext>[];
  /** Starts slow observations early (a second instance, say), so they overlap the quick checks. Called once per run, in step order. */
  prepare?(ctx: VerifyContext): void;
  /** Recognises the mistakes this step's learners make, from an app's error text. Later steps are asked first. */
  diagnose?: Diagnose;
}
