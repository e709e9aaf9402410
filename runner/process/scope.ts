// A scope owns what one piece of work starts (a verify run's apps and Redis)
// and ends it all at once. The rule that keeps a run from leaving anything
// behind: once close() has begun, nothing new starts in the scope (a start
// is refused with ScopeClosedError), close() waits for every start already
// under way (they see `signal` aborted and give up early), and only then
// stops what was started, so a child spawned a moment before close() is
// stopped like any other.
import { startChild, type Child, type ChildOptions } from './child.ts';

/** A start asked for after its scope began closing. */
export class ScopeClosedError extends Error {
  override name = 'ScopeClosedError';
  constructor() {
    super('the run is ending: nothing new starts');
  }
}

/** Closers run by phase: 'first' (apps), then 'last' (the Redis they write to). */
export type Phase = 'first' | 'last';

export class Scope {
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly closers: Record<Phase, (() => Promise<void>)[]> = { first: [], last: [] };
  private closing: Promise<void> | undefined;
  private closersRan = false;

  /** Aborted as soon as close() begins: waits in the scope stop waiting. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  /** Throws ScopeClosedError once close() has begun. */
  assertOpen(): void {
    if (this.closing) throw new ScopeClosedError();
  }

  /** Runs `close` when the scope closes (at once, if its closers already ran). */
  defer(close: () => Promise<void>, phase: Phase = 'first'): void {
    if (this.closersRan) {
      void close().catch(() => {});
      return;
    }
    this.closers[phase].push(close);
  }

  /** close() waits for `work` to settle before stopping anything. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => {},
      () => {},
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return work;
  }

  /** Starts a child that the scope stops on close; refused once closing. */
  startChild(command: string, args: string[], options: ChildOptions & { graceMs?: number; phase?: Phase }): Child {
    this.assertOpen();
    // Spawned and registered in one synchronous step: no close can fall in between.
    const child = startChild(command, args, options);
    this.defer(async () => void (await child.stop(options.graceMs ?? 1000)), options.phase);
    return child;
  }

  /** Ends the scope: refuses new starts, waits for those under way, then stops everything. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.controller.abort();
      // A start under way may start another (a retry): wait until none is left.
      while (this.pending.size) await Promise.all([...this.pending]);
      this.closersRan = true;
      for (const phase of ['first', 'last'] as const) {
        await Promise.all(this.closers[phase].splice(0).map((close) => close().catch(() => {})));
      }
    })();
    return this.closing;
  }
}
