// Running a step's checks on the workspace for the UI: one run at a time,
// each result pushed to every open page as it completes ('check'), framed
// by 'verify-start' and 'verify-end'. A save during a run (watch mode)
// queues exactly one more run.
import type { WorkshopState } from '../state.ts';
import { loadChecks, type Report } from './others.ts';

export class Verifier {
  private running: Promise<Report | undefined> | undefined;
  private again: string | undefined;
  /** Aborts the run under way: its apps and Redis stop, and verify() settles. */
  private readonly controller = new AbortController();

  constructor(private readonly state: WorkshopState) {}

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

  /** Ends the run under way (its processes stopped) and refuses new ones: the runner is stopping. */
  async close(): Promise<void> {
    this.again = undefined;
    this.controller.abort();
    await this.running;
  }

  private async once(step: string): Promise<Report | undefined> {
    const { state } = this;
    let started = false;
    try {
      const { verify, plan } = await loadChecks();
      // The list of checks first, so the page can show what is coming.
      state.emit('verify-start', { step, at: Date.now(), plan: await plan(step) });
      started = true;
      const report = await verify(step, state.workspace, {
        timeoutMs: 8000,
        onResult: (result, index) => state.emit('check', { step, result, index }),
        env: state.env,
        signal: this.controller.signal,
      });
      await state.reloadProgress();
      state.emit('verify-end', { step, report });
      return report;
    } catch (err) {
      if (!started) state.emit('verify-start', { step, at: Date.now(), plan: [] });
      state.emit('verify-end', { step, error: `The checks could not run: ${(err as Error).message}` });
      return undefined;
    }
  }
}
