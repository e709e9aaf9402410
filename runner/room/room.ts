// The instructor's view of a room, from the stream's entries: each
// learner's latest report, who has been stuck on the same failing check for
// more than 10 minutes, the checks failing most across the room, who is
// silent (5 minutes) and who is gone (an hour). Pure: entries in, a view
// out, the time passed in.
import type { FailingInfo, Outcome, RoomEntry } from './entry.ts';

export const timing = {
  stuckMs: 10 * 60_000,
  silentMs: 5 * 60_000,
  goneMs: 60 * 60_000,
} as const;

/** At most this many learners are kept: past it, the one silent longest is forgotten. */
export const maxLearners = 2000;

interface Learner {
  id: string;
  name: string;
  step: string;
  slide: string;
  checks: RoomEntry['checks'];
  at: number;
  /** The first failing check of the step, and since when it has been the first failing one. */
  failing?: { check: string; since: number };
}

export interface LearnerView {
  id: string;
  name: string;
  step: string;
  slide: string;
  /** By id, in the step's order. */
  checks: Record<string, Outcome>;
  /** Last activity (ms since the epoch). */
  at: number;
  silent: boolean;
  /** Failing the same check for more than 10 minutes. */
  stuck?: { check: string; since: number };
}

export interface FailingView {
  id: string;
  /** How many learners' latest report fails it. */
  count: number;
  names: string[];
  hint: string;
  slide?: FailingInfo['slide'];
}

export interface RoomView {
  now: number;
  learners: LearnerView[];
  stuck: { id: string; name: string; step: string; check: string; since: number }[];
  failing: FailingView[];
}

export class RoomState {
  private readonly learners = new Map<string, Learner>();

  /** Takes one report in; an older one than what is kept (a replay) changes nothing. */
  apply(entry: RoomEntry): void {
    const before = this.learners.get(entry.learner);
    if (before && before.at > entry.at) return;
    const first = entry.checks.find((c) => c.outcome === 'failed')?.id;
    let failing: Learner['failing'];
    if (first) {
      const same = before?.failing?.check === first && before.step === entry.step;
      failing = { check: first, since: same ? before!.failing!.since : entry.at };
    }
    this.learners.delete(entry.learner); // re-inserted last: the map stays in order of activity
    this.learners.set(entry.learner, { id: entry.learner, name: entry.name, step: entry.step, slide: entry.slide, checks: entry.checks, at: entry.at, failing });
    if (this.learners.size > maxLearners) this.learners.delete(this.learners.keys().next().value!);
  }

  /** Forgets learners gone for an hour or more. */
  sweep(now: number): void {
    for (const [id, l] of this.learners) if (now - l.at >= timing.goneMs) this.learners.delete(id);
  }

  get size(): number {
    return this.learners.size;
  }

  view(now: number): RoomView {
    const present = [...this.learners.values()].filter((l) => now - l.at < timing.goneMs);
    const learners: LearnerView[] = present
      .map((l) => {
        const stuck = l.failing && now - l.failing.since > timing.stuckMs ? { ...l.failing } : undefined;
        return {
          id: l.id,
          name: l.name,
          step: l.step,
          slide: l.slide,
          checks: Object.fromEntries(l.checks.map((c) => [c.id, c.outcome])),
          at: l.at,
          silent: now - l.at >= timing.silentMs,
          ...(stuck ? { stuck } : {}),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const stuck = learners
      .filter((l) => l.stuck)
      .map((l) => ({ id: l.id, name: l.name, step: l.step, check: l.stuck!.check, since: l.stuck!.since }))
      .sort((a, b) => a.since - b.since);
    const failing = new Map<string, FailingView & { latest: number }>();
    for (const l of present) {
      for (const c of l.checks) {
        if (c.outcome !== 'failed') continue;
        const f = failing.get(c.id) ?? { id: c.id, count: 0, names: [], hint: '', latest: -1 };
        f.count++;
        f.names.push(l.name);
        // The most recent learner's hint and slide stand for the check.
        if (l.at > f.latest) {
          f.latest = l.at;
          f.hint = c.info?.hint ?? '';
          f.slide = c.info?.slide;
        }
        failing.set(c.id, f);
      }
    }
    const top = [...failing.values()]
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
      .slice(0, 10)
      .map(({ latest: _latest, ...f }) => ({ ...f, names: f.names.sort().slice(0, 20) }));
    return { now, learners, stuck, failing: top };
  }
}
