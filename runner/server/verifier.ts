// Running a step's checks on the workspace for the UI: one run at a time,
// each result pushed to every open page as it completes ('check'), framed
// by 'verify-start' and 'verify-end'. A save during a run (watch mode)
// queues exactly one more run.
//
// The last result of each step is kept here, so a page that leaves a step
// and comes back (a slide link, Back, a reload) shows it again; a change of
// the workspace since a result (a save, a switch, a restore, a reset) marks
// it stale rather than letting an old "Well done!" stand.
import type { WorkshopState, WorkspaceChange } from '../state.ts';
import { recordRun } from '../progress.ts';
import { loadChecks, type Report } from './others.ts';

export type { WorkspaceChange } from '../state.ts';

/** A step's last run, as the page is given it (GET /api/results/:step, and 'result' events). */
export interface StepResult {
  step: string;
  /** When the run started (ms since the epoch): a change after this makes it stale. */
  at: number;
  endedAt: number;
  report?: Report;
  error?: string;
  /** Set when the workspace changed since the run started. */
  stale?: WorkspaceChange;
}

export class Verifier {
  private running: Promise<Report | undefined> | undefined;
  private again: string | undefined;
  /** Aborts the run under way: its apps and Redis stop, and verify() settles. */
  private readonly controller = new AbortController();
  private readonly results = new Map<string, StepResult>();

  constructor(
    private readonly state: WorkshopState,
    /** Each finished run's report (the room, when the learner joined one): never awaited, never in the way. */
    private readonly onReport: (report: Report) => void = () => {},
  ) {}

  /** Runs the checks of `step` (default: the current step); a run already going absorbs this request. */
  run(step = this.state.step.name): Promise<Report | undefined> {
    if (this.controller.signal.aborted) return Promise.resolve(undefined);
    if (this.running) {
      this.again = step;
      return this.running;
    }
    this.running = this.once(step).finally(() => {
      this.running = undefined;
      const next = this.again;
      this.again = undefined;
      if (next) void this.run(next);
    });
    return this.running;
  }

  /** The last result of `step`, marked stale when the workspace changed since; undefined before its first run. */
  resultOf(step: string): StepResult | undefined {
    const result = this.results.get(step);
    if (!result) return undefined;
    const change = this.state.workspaceChange;
    return change.at > result.at ? { ...result, stale: change } : result;
  }

  /** The workspace changed (a save, a switch, a restore): every kept result from before is now stale. */
  workspaceChanged(what: string, at = Date.now()): void {
    const tabs = JSON.stringify(this.state.snapshot().steps);
    this.state.workspaceChange = { at, what };
    for (const step of this.results.keys()) {
      const result = this.resultOf(step);
      if (result?.stale) this.state.emit('result', result);
    }
    // A step tab that said a fresh result now says it is from before the change.
    if (JSON.stringify(this.state.snapshot().steps) !== tabs) this.state.changed();
  }

  /** Ends the run under way (its processes stopped) and refuses new ones: the runner is stopping. */
  async close(): Promise<void> {
    this.again = undefined;
    this.controller.abort();
    await this.running;
  }

  private keep(result: StepResult): StepResult {
    this.results.set(result.step, result);
    return this.resultOf(result.step)!;
  }

  /** A run that could not happen is the step's latest too: its tab no longer says an earlier pass. */
  private async recordError(step: string, at: number): Promise<void> {
    try {
      await recordRun(step, { outcome: 'error', passed: 0, failed: 0, skipped: 0, at: new Date(at).toISOString() }, this.state.stateDir);
      await this.state.reloadProgress();
    } catch {
      // Progress that cannot be written leaves the tab as it was; the checks panel still says the error.
    }
  }

  private async once(step: string): Promise<Report | undefined> {
    const { state } = this;
    const at = Date.now();
    let started = false;
    try {
      const { verify, plan } = await loadChecks();
      // The list of checks first, so the page can show what is coming.
      state.emit('verify-start', { step, at, plan: await plan(step) });
      started = true;
      const report = await verify(step, state.workspace, {
        timeoutMs: 8000,
        onResult: (result, index) => state.emit('check', { step, result, index }),
        env: state.env,
        signal: this.controller.signal,
      });
      await state.reloadProgress();
      const kept = this.keep({ step, at, endedAt: Date.now(), report });
      state.emit('verify-end', { step, report, at, ...(kept.stale ? { stale: kept.stale } : {}) });
      try {
        this.onReport(report);
      } catch {
        // the room is never the verify's problem
      }
      return report;
    } catch (err) {
      if (!started) state.emit('verify-start', { step, at, plan: [] });
      const error = `The checks could not run: ${(err as Error).message}`;
      // A run cut short by the runner stopping is no result to keep.
      if (!this.controller.signal.aborted) {
        this.keep({ step, at, endedAt: Date.now(), error });
        await this.recordError(step, at);
      }
      state.emit('verify-end', { step, error, at });
      return undefined;
    }
  }
}
