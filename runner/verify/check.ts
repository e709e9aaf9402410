// What a check is, what it reports, and how a list of them runs: in order,
// each after the checks it needs, a check whose need failed being skipped
// with the reason instead of failing in a cascade.
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
          result = {
            ...base,
            status: 'failed',
            message: `The check itself went wrong: ${text}`,
            hint: 'This is likely a bug in the workshop, not in your app: please report it with this output.',
            ms: 0,
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
