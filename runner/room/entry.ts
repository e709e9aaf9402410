// What one learner's verify puts in the room's stream, and what the
// instructor's runner takes out of it. Pure. Only these fields, each
// bounded: a display name, the step, each check's id and outcome (with the
// workshop's own hint and slide for a failing one), the slide the learner
// has open, the time. Never code, file contents, paths, hostnames or the
// learner's Redis data. The instructor's side trusts nothing it reads: any
// learner can append anything, so every field is checked and bounded again.
import type { Report } from '../verify/report.ts';

export type Outcome = 'passed' | 'failed' | 'skipped';

/** A failing check's pointers for the instructor: the workshop's hint, and the slide that teaches it. */
export interface FailingInfo {
  hint: string;
  slide?: { deck: string; n: number; title: string };
}

export interface RoomEntry {
  /** A random id made at join: two learners of the same name are two rows. */
  learner: string;
  name: string;
  step: string;
  /** The slide the learner has open, `step3/7`; '' when unknown. */
  slide: string;
  /** In the step's order. */
  checks: { id: string; outcome: Outcome; info?: FailingInfo }[];
  /** When the verify ended (ms since the epoch, as the learner's clock says). */
  at: number;
}

export const limits = {
  name: 40,
  id: 80,
  step: 40,
  checks: 100,
  hint: 300,
  title: 120,
  /** A field longer than this is not read at all. */
  field: 64 * 1024,
} as const;

// Control characters, and the ones that reorder or hide text (bidi overrides, zero-width).
const unprintable = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/** Text a person typed or a check wrote, made one bounded line: no control characters, at most `max` characters. */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const flat = value.slice(0, max * 4 + 16).replace(unprintable, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** Paths in a hint (a check may quote one) are left out: `/home/ada/app.js` → `…/app.js`. */
export function withoutPaths(text: string): string {
  return text
    .replace(/(^|[\s"'`(])(?:\/|~\/|[A-Za-z]:\\)(?:[^\s"'`)]*[/\\])+/g, '$1…/')
    .replace(/\b(?:[\w-]+\.)+(?:local|internal|lan|home)\b/g, '…');
}

const idShape = /^[\w.:-]+$/;
const stepShape = /^[\w.-]+$/;
const slideShape = /^[\w.-]+\/\d{1,4}$/;
const learnerShape = /^[\w-]{8,40}$/;

const outcomeOf = { passed: 'p', failed: 'f', skipped: 's' } as const;
const outcomeFrom: Record<string, Outcome> = { p: 'passed', f: 'failed', s: 'skipped' };

/** The stream entry's fields for one report: strings only, as XADD takes them. */
export function entryFields(report: Pick<Report, 'step' | 'checks'>, who: { learner: string; name: string; slide?: string }, at = Date.now()): Record<string, string> {
  const checks = report.checks.slice(0, limits.checks).map((c) => {
    const row: unknown[] = [c.id.slice(0, limits.id), outcomeOf[c.status]];
    if (c.status === 'failed') {
      row.push(cleanText(withoutPaths(c.hint ?? ''), limits.hint));
      if (c.slide?.slide) row.push([c.slide.deck, c.slide.slide, cleanText(c.slide.title, limits.title)]);
    }
    return row;
  });
  return {
    v: '1',
    learner: who.learner,
    name: cleanText(who.name, limits.name),
    step: report.step,
    slide: who.slide && slideShape.test(who.slide) ? who.slide : '',
    checks: JSON.stringify(checks),
    at: String(at),
  };
}

/** An entry read back from the stream, or undefined when it is not one (anyone can append anything). */
export function parseEntry(fields: Record<string, string>, streamId?: string): RoomEntry | undefined {
  if (fields.v !== '1') return undefined;
  const learner = fields.learner ?? '';
  if (!learnerShape.test(learner)) return undefined;
  const name = cleanText(fields.name, limits.name);
  const step = fields.step ?? '';
  if (!name || step.length > limits.step || !stepShape.test(step)) return undefined;
  const raw = fields.checks ?? '';
  if (raw.length > limits.field) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const checks: RoomEntry['checks'] = [];
  const seen = new Set<string>();
  for (const row of list.slice(0, limits.checks)) {
    if (!Array.isArray(row)) continue;
    const [id, o, hint, slide] = row as unknown[];
    if (typeof id !== 'string' || id.length > limits.id || !idShape.test(id) || seen.has(id)) continue;
    const outcome = typeof o === 'string' ? outcomeFrom[o] : undefined;
    if (!outcome) continue;
    seen.add(id);
    const check: RoomEntry['checks'][number] = { id, outcome };
    if (outcome === 'failed') {
      check.info = { hint: cleanText(hint, limits.hint) };
      if (Array.isArray(slide)) {
        const [deck, n, title] = slide as unknown[];
        if (typeof deck === 'string' && stepShape.test(deck) && deck.length <= limits.step && Number.isInteger(n) && (n as number) > 0 && (n as number) < 10_000) {
          check.info.slide = { deck, n: n as number, title: cleanText(title, limits.title) };
        }
      }
    }
    checks.push(check);
  }
  // The learner's clock, unless it is far from the stream's (which is Redis's): then Redis's.
  const idTime = streamId ? Number(streamId.split('-')[0]) : NaN;
  let at = Number(fields.at);
  if (!Number.isFinite(at) || (Number.isFinite(idTime) && Math.abs(at - idTime) > 5 * 60_000)) at = Number.isFinite(idTime) ? idTime : NaN;
  if (!Number.isFinite(at)) return undefined;
  const slideText = fields.slide ?? '';
  return { learner, name, step, slide: slideShape.test(slideText) && slideText.length <= 60 ? slideText : '', checks, at };
}
