// Child processes that never outlive us.
//
// Each child runs in its own process group (detached), so stopping it also
// stops whatever it forked. What left the group (a helper started with
// `detached: true`, a daemon) is found in the process table: by its parent
// while the child lives, and by a tag in its environment after. Groups
// still alive when we exit are killed in an 'exit' handler, and a tiny
// watchdog shell, fed the group ids and tags through a pipe, kills them if
// we die without running it (SIGKILL, a crash).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { processFamily } from './process-table.ts';

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

// Every child still running, by its pid (= its process group id), with its tag.
const live = new Map<number, { managed: ManagedProcess; marker: string }>();
let watchdog: ChildProcess | undefined;

/** In each child's environment, inherited by what it starts: NAME=<tag of that child>. */
const TAG = 'WORKSHOP_PROCESS_TAG';
const runTag = `${process.pid}-${randomBytes(4).toString('hex')}`;
let started = 0;

// Holds "pgid:tag" entries; at EOF (we are gone) kills each group, then every
// process whose environment has one of the tags (GNU grep; a no-op without /proc).
const watchdogScript = `
trap '' INT TERM HUP
entries=""
while read -r op id tag; do
  case "$op" in
    add) entries="$entries $id:$tag" ;;
    del) kept=""; for e in $entries; do [ "\${e%%:*}" = "$id" ] || kept="$kept $e"; done; entries=$kept ;;
  esac
done
[ -n "$entries" ] || exit 0
set --
for e in $entries; do
  kill -s KILL -- "-\${e%%:*}" 2>/dev/null
  set -- "$@" -e "${TAG}=\${e#*:}"
done
for f in $(grep -lzxF "$@" /proc/[0-9]*/environ 2>/dev/null); do
  p=\${f#/proc/}; kill -s KILL "\${p%/environ}" 2>/dev/null
done
`;

function tellWatchdog(line: string): void {
  if (!watchdog) {
    // Without our own tag: if whoever started us sweeps up after our death, the watchdog must still finish.
    const env = { ...process.env };
    delete env[TAG];
    watchdog = spawn('sh', ['-c', watchdogScript], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    watchdog.on('error', () => {}); // without sh we still have the exit handler
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
    watchdog.stdin?.on('error', () => {});
  }
  watchdog.stdin?.write(line + '\n');
}

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
export function startProcess(command: string, args: string[], options: StartOptions): ManagedProcess {
  const keep = options.keepLines ?? 200;
  const log: string[] = [];
  // Plain spawn rather than execa: this runs on every verify's critical
  // path, execa costs ~70 ms to load, and we use none of its extras here.
  const tag = `${runTag}-${++started}`;
  const marker = `${TAG}=${tag}`;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), [TAG]: tag },
    detached: true, // a process group of its own, which we kill whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? -1;
  if (pid > 0) tellWatchdog(`add ${pid} ${tag}`);
  // What the child started outside its group, found when it is stopped
  // (while the parent links are whole), killed with it.
  let family: number[] = [];

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
    // When the leader exits, whatever it started goes with it: a grandchild
    // holding our pipes open must not keep the exit from being noticed. Its
    // orphans no longer have it as their parent; its tag still finds them.
    child.once('exit', () => killAll(pid, [...family, ...processFamily([], [marker])], 'SIGKILL'));
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
  if (pid > 0 && !exit) live.set(pid, { managed, marker });
  return managed;
}

/** Stops every child we started, in parallel. */
export async function stopAll(graceMs = 2000): Promise<void> {
  await Promise.all([...live.values()].map(({ managed }) => managed.stop(graceMs)));
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
