// Child processes that never outlive us.
//
// Each child runs in its own process group (detached), so stopping it also
// stops whatever it forked. Groups still alive when we exit are killed in an
// 'exit' handler, and a tiny watchdog shell, fed the group ids through a
// pipe, kills them if we die without running it (SIGKILL, a crash).
import { spawn, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: string;
}

export interface ManagedProcess {
  readonly pid: number;
  /** The last lines the process wrote, stdout and stderr interleaved. */
  readonly log: string[];
  /** Resolves once, when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Null while running. */
  readonly exit: Exit | null;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<Exit>;
}

export interface StartOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** How many log lines to keep. */
  keepLines?: number;
  /** Called for each line of output, with the stream it came from. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

// Every child still running, by its pid (= its process group id).
const live = new Map<number, ManagedProcess>();
let watchdog: ChildProcess | undefined;

const watchdogScript = `
trap '' INT TERM HUP
groups=""
while read -r op id; do
  case "$op" in
    add) groups="$groups $id" ;;
    del) kept=""; for g in $groups; do [ "$g" = "$id" ] || kept="$kept $g"; done; groups=$kept ;;
  esac
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn('sh', ['-c', watchdogScript], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.on('error', () => {}); // without sh we still have the exit handler
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
    watchdog.stdin?.on('error', () => {});
  }
  watchdog.stdin?.write(line + '\n');
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

process.on('exit', () => {
  for (const pid of live.keys()) killGroup(pid, 'SIGKILL');
});

/** Starts `command args` in a process group of its own. */
export function startProcess(command: string, args: string[], options: StartOptions): ManagedProcess {
  const keep = options.keepLines ?? 200;
  const log: string[] = [];
  // Plain spawn rather than execa: this runs on every verify's critical
  // path, execa costs ~70 ms to load, and we use none of its extras here.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true, // a process group of its own, which we kill whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? -1;
  if (pid > 0) tellWatchdog(`add ${pid}`);

  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      // A flood of output must not grow memory: keep the last `keep` lines.
      for (const line of lines) {
        log.push(line);
        options.onLine?.(line, stream);
      }
      if (partial.length > 64 * 1024) partial = partial.slice(-64 * 1024);
      if (log.length > keep) log.splice(0, log.length - keep);
    });
    child[stream]?.on('end', () => {
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
    child.once('error', (err) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, error: err.message });
    });
    // When the leader exits, whatever it forked goes with it: a grandchild
    // holding our pipes open must not keep the exit from being noticed.
    child.once('exit', () => killGroup(pid, 'SIGKILL'));
    // 'close' comes once the pipes are drained, so the log is complete.
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).then((result) => {
    exit = result;
    if (pid > 0) {
      live.delete(pid);
      tellWatchdog(`del ${pid}`);
    }
    return result;
  });

  const managed: ManagedProcess = {
    pid,
    log,
    exited,
    get exit() {
      return exit;
    },
    async stop(graceMs = 2000) {
      if (exit) return exit;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (pid > 0 && !exit) live.set(pid, managed);
  return managed;
}

/** Stops every child we started, in parallel. */
export async function stopAll(graceMs = 2000): Promise<void> {
  await Promise.all([...live.values()].map((child) => child.stop(graceMs)));
}

/** Whether a process exists (EPERM: it does, it just isn't ours to signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
let handlersInstalled = false;

/**
 * For commands that run until interrupted: on Ctrl-C, SIGTERM or SIGHUP, run
 * the cleanups (bounded in time), stop every child, and exit 130/143.
 */
export function onShutdown(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  if (handlersInstalled) return;
  handlersInstalled = true;
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.once(signal, async () => {
      const force = setTimeout(() => process.exit(codes[signal]), 5000);
      force.unref();
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch {
          // keep shutting down
        }
      }
      await stopAll();
      process.exit(codes[signal]);
    });
  }
}
