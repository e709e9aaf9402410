// The app supervisor: runs one Express app (the learner's workspace, or the
// current step's solution) as `node <entry>` on a port that stays the same
// for the whole run, restarts it when its files change, and keeps its
// recent log lines and status for the UI.
//
// One SupervisedApp per pane; the runner's state holds both.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { startChild, untilListening, type Child } from './process/child.ts';
import { isIgnoredChange } from './changes.ts';
import { entryFrom } from './entry.ts';

export type AppId = 'workspace' | 'solution';

export type AppState =
  | 'stopped'
  | 'starting'
  | 'running'
  /** Exited on its own (a crash, a syntax error, process.exit). */
  | 'crashed'
  /** Still running, but never accepted a connection on PORT. */
  | 'not-listening'
  /** The folder or its package.json is missing or unreadable. */
  | 'missing';

export interface AppStatus {
  id: AppId;
  state: AppState;
  port: number;
  url: string;
  dir: string;
  /** One sentence for the learner when something is wrong. */
  message?: string;
  /** How many times it has been (re)started in this run. */
  starts: number;
  /** Running, on a step with Redis, while Redis is down (set by the runner's state). */
  redisDown?: boolean;
}

export interface LogLine {
  app: AppId;
  stream: 'stdout' | 'stderr' | 'runner';
  text: string;
  at: number;
}

export interface AppOptions {
  id: AppId;
  dir: string;
  port: number;
  /** Extra environment: REDIS_URL, once Redis is known. */
  env?: Record<string, string>;
  /** How long an app may take to listen before we call it stuck. */
  listenTimeoutMs?: number;
  /** Quiet time after the last file change before restarting. */
  debounceMs?: number;
  keepLines?: number;
}

/** The entry file of an app folder: package.json's `main`, default app.js. */
export async function entryOf(dir: string): Promise<string> {
  return entryFrom(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { main?: unknown });
}

/**
 * Events: 'status' (AppStatus) on every state change, 'log' (LogLine) per
 * line, 'changed' (path) after the debounced file change that caused a
 * restart (the runner re-verifies on it when watching).
 */
export class SupervisedApp extends EventEmitter {
  readonly id: AppId;
  readonly port: number;
  private dir: string;
  private env: Record<string, string>;
  private readonly listenTimeoutMs: number;
  private readonly debounceMs: number;
  private readonly keepLines: number;
  private child: Child | undefined;
  /** Ends the wait of a start under way, so what comes next (a stop, a restart) never queues behind a slow boot. */
  private starting: AbortController | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastChange = '';
  /** Serialises start/stop so a burst of saves never runs two copies. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  readonly log: LogLine[] = [];
  status: AppStatus;

  constructor(options: AppOptions) {
    super();
    this.id = options.id;
    this.port = options.port;
    this.dir = options.dir;
    this.env = options.env ?? {};
    this.listenTimeoutMs = options.listenTimeoutMs ?? 15_000;
    this.debounceMs = options.debounceMs ?? 150;
    this.keepLines = options.keepLines ?? 200;
    this.status = this.makeStatus('stopped', 0);
  }

  private makeStatus(state: AppState, starts: number, message?: string): AppStatus {
    return {
      id: this.id,
      state,
      port: this.port,
      url: `http://127.0.0.1:${this.port}/`,
      dir: this.dir,
      starts,
      ...(message ? { message } : {}),
    };
  }

  private setStatus(state: AppState, message?: string, countStart = false): void {
    this.status = this.makeStatus(state, this.status.starts + (countStart ? 1 : 0), message);
    this.emit('status', this.status);
  }

  private addLine(stream: LogLine['stream'], text: string): void {
    const line: LogLine = { app: this.id, stream, text, at: Date.now() };
    this.log.push(line);
    if (this.log.length > this.keepLines) this.log.splice(0, this.log.length - this.keepLines);
    this.emit('log', line);
  }

  /** Starts the app (stopping any running copy first) and watches its folder. */
  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.start();
  }

  /** Points the app at another folder (the solution of another step) and restarts it. */
  setDir(dir: string): Promise<void> {
    return this.enqueue(async () => {
      // Already running that very app: a restart would only lose its state.
      if (dir === this.dir && this.status.state === 'running') return;
      if (dir !== this.dir) {
        this.dir = dir;
        await this.unwatch();
      }
      await this.doStart();
    });
  }

  /** New environment (REDIS_URL once known); takes effect on the next start. */
  setEnv(env: Record<string, string>): void {
    this.env = env;
  }

  /**
   * Stops the app and its watcher while its folder is swapped (a switch to
   * a solution, a restore); `start()` afterwards watches the new folder.
   */
  suspend(message = 'Paused while the workspace changes.'): Promise<void> {
    return this.enqueue(async () => {
      clearTimeout(this.debounce);
      await this.unwatch();
      await this.stopChild();
      this.setStatus('stopped', message);
    });
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopChild();
      this.setStatus('stopped');
    });
  }

  /** Stops the app and the watcher for good. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.debounce);
    await this.unwatch();
    await this.enqueue(() => this.stopChild());
  }

  /** Runs `task` after those queued before it; whatever it is supersedes a start still waiting to listen. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.starting?.abort();
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => {});
    return next;
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await child.stop(1500);
  }

  private async doStart(): Promise<void> {
    if (this.disposed) return;
    // From here on, a task queued behind this start ends its wait to listen.
    const starting = (this.starting = new AbortController());
    await this.stopChild();
    let entry: string;
    try {
      entry = await entryOf(this.dir);
    } catch (err) {
      // Watch first: a fix saved the moment after we say so must not be missed.
      await this.watch();
      // A package.json that is there but not JSON is the learner's to fix, not a missing app.
      this.setStatus('missing', err instanceof SyntaxError
        ? `${join(this.dir, 'package.json')} is not valid JSON (${err.message}): fix it, and the app starts.`
        : `There is no app in ${this.dir} (no readable package.json).`);
      return;
    }
    await this.watch();
    this.setStatus('starting', undefined, true);
    this.addLine('runner', `$ PORT=${this.port} node ${entry}`);
    const child = startChild(process.execPath, [entry], {
      cwd: this.dir,
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      keepLines: this.keepLines,
      onLine: (text, stream) => this.addLine(stream, text),
    });
    this.child = child;
    void child.exited.then((exit) => {
      if (this.child !== child) return; // stopped by us: not news
      this.child = undefined;
      const how = exit.error ?? (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`);
      this.addLine('runner', `The app ${how}.`);
      this.setStatus('crashed', `The app ${how}: see its last log lines. Save a file or press Reload to restart it.`);
    });
    const ready = await untilListening(child, this.port, { timeoutMs: this.listenTimeoutMs, signal: starting.signal });
    if (this.starting === starting) this.starting = undefined;
    if (this.child !== child) return;
    if (ready.state === 'listening') this.setStatus('running');
    else if (ready.state === 'timeout') {
      this.setStatus('not-listening', `The app is running but did not listen on PORT (${this.port}) within ${this.listenTimeoutMs / 1000} s: does it call app.listen(process.env.PORT)?`);
    } else if (ready.state === 'elsewhere') {
      this.setStatus('not-listening', `The app listens on port ${ready.ports.join(', ')}, not on PORT (${this.port}): call app.listen(process.env.PORT).`);
    } else if (ready.state === 'not-ours') {
      this.setStatus('not-listening', `Something other than the app answers on port ${this.port}: the app did not bind PORT itself.`);
    }
    // Otherwise it exited, and the exit handler above has said why.
  }

  private async watch(): Promise<void> {
    if (this.watcher || this.disposed) return;
    const { watch } = await import('chokidar');
    this.watcher = watch(this.dir, {
      ignored: (path: string) => isIgnoredChange(path, this.dir),
      ignoreInitial: true,
      // Editors write in bursts (temp file, rename, chmod): wait for quiet.
      awaitWriteFinish: false,
    });
    this.watcher.on('all', (_event, path) => this.onChange(path));
    this.watcher.on('error', () => {}); // a vanished folder is reported by the next start
    // Until its first scan is done, chokidar does not report changes.
    const watcher = this.watcher;
    await new Promise<void>((resolve) => {
      watcher.once('ready', resolve);
      setTimeout(resolve, 2000).unref();
    });
  }

  private async unwatch(): Promise<void> {
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
  }

  private onChange(path: string): void {
    if (this.disposed) return;
    this.lastChange = path;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.addLine('runner', `${basename(this.lastChange)} changed: restarting.`);
      void this.start().then(() => this.emit('changed', this.lastChange));
    }, this.debounceMs);
  }
}
