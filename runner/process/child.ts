// A child process's whole life, in one place: started in a process group of
// its own, its output kept as lines, its readiness (listening on its port,
// or why not), and its stop, which takes down whatever it started, even
// what left its group. The runner's apps, verify's apps, Redis servers, the
// bench and the recorder all start children here.
//
// Plain spawn rather than execa: this is on every verify's critical path,
// and execa costs ~200 ms to load on a slow 2-core machine (measured for
// issue 10) for extras we would not use; what we need of it (the group kill,
// the forced kill after a grace, clean-up on exit) is the code below.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isListening } from './ports.ts';
import { cpuWaitMs, isRunning, listeningPorts, portOwner, processFamily } from './table.ts';
import { guard, release, TAG } from './watchdog.ts';

export interface Exit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: string;
}

export interface Child {
  readonly pid: number;
  /** The last lines the process wrote, stdout and stderr interleaved. */
  readonly log: string[];
  /** Resolves once, when the process has exited and its output is drained. */
  readonly exited: Promise<Exit>;
  /** Null while running. */
  readonly exit: Exit | null;
  /** SIGTERM to the whole group (and its leftovers), SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<Exit>;
}

export interface ChildOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** How many log lines to keep. */
  keepLines?: number;
  /** Called for each line of output, with the stream it came from. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** The longest log line kept, in characters: a longer one is cut. */
const maxLine = 64 * 1024;

// Every child still running, by its pid (= its process group id), with its tag.
const live = new Map<number, { child: Child; marker: string }>();
const runTag = `${process.pid}-${randomBytes(4).toString('hex')}`;
let started = 0;

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** Signals a child's whole group, and `family`: what it started outside the group. */
function killAll(pid: number, family: readonly number[], signal: NodeJS.Signals): void {
  kill(-pid, signal);
  for (const member of family) kill(member, signal);
}

process.on('exit', () => {
  const children = [...live.entries()];
  if (!children.length) return;
  const family = processFamily(children.map(([pid]) => pid), children.map(([, c]) => c.marker));
  for (const [pid] of children) killAll(pid, family, 'SIGKILL');
});

/** Starts `command args` in a process group of its own. */
export function startChild(command: string, args: string[], options: ChildOptions): Child {
  const keep = options.keepLines ?? 200;
  const log: string[] = [];
  const tag = `${runTag}-${++started}`;
  const marker = `${TAG}=${tag}`;
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), [TAG]: tag },
    detached: true, // a process group of its own, which we kill whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid ?? -1;
  if (pid > 0) guard(pid, tag);
  // What the child started outside its group, found when it is stopped
  // (while the parent links are whole), killed with it.
  let family: number[] = [];

  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    proc[stream]?.setEncoding('utf8');
    proc[stream]?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      // A flood of output must not grow memory: keep the last `keep` lines, each
      // cut at maxLine (its start kept, where an error says what it is), and
      // only that much of a line still without its end.
      partial = (lines.pop() ?? '').slice(0, maxLine);
      for (const whole of lines) {
        const line = whole.slice(0, maxLine);
        log.push(line);
        options.onLine?.(line, stream);
      }
      if (log.length > keep) log.splice(0, log.length - keep);
    });
    proc[stream]?.on('end', () => {
      if (partial) {
        log.push(partial);
        options.onLine?.(partial, stream);
        partial = '';
      }
    });
  }

  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    // 'error' without a pid means it never started (ENOENT, EACCES, a bad cwd).
    proc.once('error', (err) => {
      if (proc.pid === undefined) resolve({ code: null, signal: null, error: err.message });
    });
    // When the leader exits, whatever it started goes with it: a grandchild
    // holding our pipes open must not keep the exit from being noticed. Its
    // orphans no longer have it as their parent; its tag still finds them.
    proc.once('exit', () => killAll(pid, [...family, ...processFamily([], [marker])], 'SIGKILL'));
    // 'close' comes once the pipes are drained, so the log is complete.
    proc.once('close', (code, signal) => resolve({ code, signal }));
  }).then((result) => {
    exit = result;
    if (pid > 0) {
      live.delete(pid);
      release(pid);
    }
    return result;
  });

  const child: Child = {
    pid,
    log,
    exited,
    get exit() {
      return exit;
    },
    async stop(graceMs = 2000) {
      if (exit) return exit;
      family = processFamily([pid], [marker]);
      killAll(pid, family, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => killAll(pid, family, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (pid > 0 && !exit) live.set(pid, { child, marker });
  return child;
}

/** Stops every child we started, in parallel. */
export async function stopAll(graceMs = 2000): Promise<void> {
  await Promise.all([...live.values()].map(({ child }) => child.stop(graceMs)));
}

/** How long an app must listen only elsewhere before we say it ignores PORT. */
const OTHER_PORTS_SETTLE_MS = 500;

/**
 * The most a wait for a child to listen is stretched by the time the child
 * spent waiting for a CPU: this many times its timeout, on the clock.
 */
export const MAX_STRETCH = 6;

/** Where a child stands after waiting for it to listen on its port. */
export type Readiness =
  | { state: 'listening'; /** `http://127.0.0.1:<port>`, or `http://[::1]:<port>` for a child listening there only. */ base: string }
  | { state: 'exited'; exit: Exit }
  /** It listens, but only on other ports, for OTHER_PORTS_SETTLE_MS. */
  | { state: 'elsewhere'; ports: number[] }
  /** When the time ran out, something had answered on the port, but not the child (nor its group). */
  | { state: 'not-ours' }
  /** The child had `timeoutMs` of its own time (see `ownTime`); `clockMs` passed on the clock meanwhile. */
  | { state: 'timeout'; clockMs: number }
  | { state: 'cancelled' };

export interface ListenOptions {
  /** How long the child may take to listen, in its own time (see `ownTime`). */
  timeoutMs: number;
  /** The most the wait is stretched, as a multiple of timeoutMs on the clock; default MAX_STRETCH. */
  maxStretch?: number;
  /** Stops the wait (the child is not stopped: that is its owner's call). */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The time `pid` has had since `start` (performance.now()): the clock's
 * time less what its main thread spent ready to run but waiting for a CPU
 * (Linux's run-queue delay). On a machine whose cores are busy with other
 * work, an app that needs one second of CPU to boot can take five on the
 * clock; a bound on the clock then fails a correct app, while this one
 * still bounds an app that hangs (waiting on nothing counts in full) or
 * spins (its time on a CPU counts in full). Where the system does not
 * tell (no /proc), the clock's time.
 */
export function ownTime(pid: number, start: { at: number; cpuWaitMs: number | undefined }): number {
  const clock = performance.now() - start.at;
  const waited = start.cpuWaitMs === undefined ? undefined : cpuWaitMs(pid);
  return waited === undefined ? clock : clock - Math.max(0, waited - start.cpuWaitMs!);
}

/**
 * Waits until `child` listens on `port` (127.0.0.1 or ::1) with a socket of
 * its own, or says why not: it exited, it listens elsewhere, something else
 * answers there, time ran out, or the wait was cancelled. The time is the
 * child's own (`ownTime`: `timeoutMs` of it, however busy the machine), and
 * at most MAX_STRETCH times `timeoutMs` on the clock. Every deadline is on
 * the monotonic clock: a step of the wall clock cannot end a wait early.
 */
export async function untilListening(child: Child, port: number, options: ListenOptions): Promise<Readiness> {
  const start = { at: performance.now(), cpuWaitMs: cpuWaitMs(child.pid) };
  const clock = () => performance.now() - start.at;
  const timeUp = () =>
    clock() >= options.timeoutMs && (clock() >= options.timeoutMs * (options.maxStretch ?? MAX_STRETCH) || ownTime(child.pid, start) >= options.timeoutMs);
  let nextPortLook = clock() + 100;
  let elsewhereSince: number | undefined;
  let takenByOther = false;
  for (;;) {
    if (options.signal?.aborted) return { state: 'cancelled' };
    if (child.exit) return { state: 'exited', exit: child.exit };
    const [v4, v6] = await Promise.all([isListening(port, '127.0.0.1', 250), isListening(port, '::1', 250)]);
    if (v4 || v6) {
      const owner = await portOwner(port, child.pid);
      // A child that has died answers nothing: what answers is another program,
      // which took the port first (the child failed on it with EADDRINUSE).
      if (child.exit || !isRunning(child.pid)) return { state: 'exited', exit: await child.exited };
      if (owner !== 'other') return { state: 'listening', base: v4 ? `http://127.0.0.1:${port}` : `http://[::1]:${port}` };
      // Another program holds the port: the child will fail on it, or listen
      // elsewhere, or time runs out; then that program is what we name.
      takenByOther = true;
    }
    if (clock() >= nextPortLook) {
      // An app that listens, but elsewhere, need not keep us waiting until the deadline.
      nextPortLook = clock() + 100;
      const ports = await listeningPorts(child.pid);
      const elsewhere = Boolean(ports?.length && !ports.includes(port));
      // An app may open another listener first and PORT a moment later.
      elsewhereSince = elsewhere ? (elsewhereSince ?? clock()) : undefined;
      if (ports && elsewhereSince !== undefined && clock() - elsewhereSince >= OTHER_PORTS_SETTLE_MS) return { state: 'elsewhere', ports };
    }
    // Right after a look at the port: however long we were stalled, the port was seen after it.
    if (timeUp()) return takenByOther ? { state: 'not-ours' } : { state: 'timeout', clockMs: Math.round(clock()) };
    await sleep(takenByOther ? 100 : 10);
  }
}
