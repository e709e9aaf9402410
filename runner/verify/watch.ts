// `verify --watch`: run again whenever something in the app folder changes.
// Changes are debounced (an editor's save is several events), editors' swap
// and backup files are ignored, and a change during a run queues one more run
// rather than overlapping two.
import { release } from 'node:os';
import { relative } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isIgnoredChange } from '../changes.ts';
import type { Report } from './report.ts';
import { verify, type VerifyOptions } from './verify.ts';

/** File events do not arrive from Windows drives under WSL: poll there (CHOKIDAR_USEPOLLING also works). */
export function needsPolling(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.WORKSHOP_POLL === '1') return true;
  return process.platform === 'linux' && /microsoft/i.test(release()) && dir.startsWith('/mnt/');
}

export interface WatchOptions extends Omit<VerifyOptions, 'signal'> {
  debounceMs?: number;
  /** Called when a run starts, with the changed paths that caused it, comma-separated (undefined for the first run). */
  onRunStart?: (changed: string | undefined) => void;
  onReport: (report: Report) => void;
  /** A run that could not happen at all (e.g. the folder was deleted). */
  onError: (err: Error) => void;
}

export interface Watcher {
  /** Stops watching, ends the current run (stopping its processes) and resolves when all is quiet. */
  close(): Promise<void>;
}

export function watchVerify(step: string, dir: string, options: WatchOptions): Watcher {
  const debounceMs = options.debounceMs ?? 200;
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  /** Paths saved during a run: exactly one more run follows, naming them all. */
  let pending: Set<string> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // Every path of one debounced burst, so "Changed:" names them all (a save can touch several files).
  const burst = new Set<string>();

  const runOnce = async (changed: ReadonlySet<string> | undefined): Promise<void> => {
    options.onRunStart?.(changed && [...changed].join(', '));
    controller = new AbortController();
    try {
      options.onReport(await verify(step, dir, { ...options, signal: controller.signal }));
    } catch (err) {
      if (!closed) options.onError(err as Error);
    }
  };

  const schedule = (changed: ReadonlySet<string> | undefined) => {
    if (closed) return;
    if (running) {
      pending = new Set([...(pending ?? []), ...(changed ?? [])]);
      return;
    }
    running = (async () => {
      let next = changed;
      do {
        pending = undefined;
        await runOnce(next);
        next = pending;
      } while (next !== undefined && !closed);
      running = undefined;
    })();
  };

  const watcher: FSWatcher = watch(dir, {
    ignored: (path) => isIgnoredChange(path, dir),
    ignoreInitial: true,
    usePolling: needsPolling(dir) || undefined,
    interval: 300,
  });
  watcher.on('all', (_event, path) => {
    clearTimeout(timer);
    burst.add(relative(dir, path) || path);
    timer = setTimeout(() => {
      const changed = new Set(burst);
      burst.clear();
      schedule(changed);
    }, debounceMs);
  });
  watcher.on('error', () => {}); // e.g. a file vanished between event and stat

  watcher.once('ready', () => schedule(undefined));

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      controller?.abort();
      await watcher.close();
      await running?.catch(() => {});
    },
  };
}
