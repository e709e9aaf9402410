// Starting and stopping the whole workshop: the UI server first (so the
// first slide answers at once), then, in parallel, Redis, the workspace and
// the two apps, each reporting its progress to the terminal and the UI.
import { isIgnoredChange } from './changes.ts';
import { freePort } from './process/ports.ts';
import { relative } from 'node:path';
import { contentFolders } from './description.ts';
import { WorkshopState } from './state.ts';
import { loadToken, linkFor } from './token.ts';
import { stateDir } from './paths.ts';
import { startUiServer, type UiServer } from './server/app.ts';
import { loadWorkspace } from './server/others.ts';
import type { SupervisedApp } from './apps.ts';
import type { RedisConnection } from './redis.ts';
import type { RedisWatch } from './redis-watch.ts';
import { steps, workshop } from './steps.ts';

export interface StartOptions {
  /** The port asked for; if taken, the next free one. 0: any free port. */
  port: number;
  env?: NodeJS.ProcessEnv;
  /** Progress lines for the terminal. */
  say?: (line: string) => void;
  warn?: (line: string) => void;
}

export interface Workshop {
  state: WorkshopState;
  ui: UiServer;
  /** The runner's address, without the token. */
  url: string;
  /** The address with the token: what lets the learner's browser in. */
  link: string;
  /** Resolves when Redis and both apps have settled (ready or failed). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** WORKSHOP_TRACE=1: when each stage of start-up happened, in ms since the process started. */
export const trace = process.env.WORKSHOP_TRACE
  ? (stage: string) => process.stderr.write(`[trace] ${Math.round(performance.now())} ms ${stage}\n`)
  : () => {};

/**
 * A stage of start-up: traced, and (tests only) WORKSHOP_PAUSE_AT=<stage>
 * stops start-up there for good, after printing `[paused] <stage>` to
 * stderr, so a test can send Ctrl-C or SIGTERM in exactly that phase.
 */
async function stage(name: string): Promise<void> {
  trace(name);
  if (process.env.WORKSHOP_PAUSE_AT !== name) return;
  process.stderr.write(`[paused] ${name}\n`);
  await new Promise<never>(() => setInterval(() => {}, 60_000));
}

const isAddressInUse = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EADDRINUSE';

/** Listens on `port`, or the next free one above it (up to 50 tries). */
async function listenNear(state: WorkshopState, port: number): Promise<UiServer> {
  for (let p = port; ; p++) {
    try {
      return await startUiServer(state, p);
    } catch (err) {
      if (port === 0 || !isAddressInUse(err) || p >= port + 50 || p >= 65535) throw err;
    }
  }
}

export async function startWorkshop(options: StartOptions): Promise<Workshop> {
  const env = options.env ?? process.env;
  const say = options.say ?? (() => {});
  const warn = options.warn ?? say;
  const state = await WorkshopState.load(loadToken(stateDir(env)), env);
  const [workspacePort, solutionPort] = await Promise.all([freePort(), freePort()]);
  state.appPorts = { workspace: workspacePort, solution: solutionPort };
  await stage('state loaded');
  const ui = await listenNear(state, options.port);
  await stage('listening');
  const url = `http://127.0.0.1:${ui.port}/`;
  if (options.port && ui.port !== options.port) {
    say(`Port ${options.port} is in use, so the workshop uses port ${ui.port} instead.`);
  }

  let redis: RedisConnection | undefined;
  let redisWatch: RedisWatch | undefined;
  const apps: SupervisedApp[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  let stopped = false;

  // Which steps need Redis, in the learner's words: "step3 and step4".
  const withRedis = steps().filter((s) => s.services.includes('redis')).map((s) => s.name);
  const startRedis = async () => {
    if (!withRedis.length) return; // no step needs it: nothing to start, nothing to say
    const { findRedis, RedisUnavailableError } = await import('./redis.ts');
    try {
      redis = await findRedis({ env });
      if (stopped) return void (await redis.stop());
      state.setRedis({ state: 'ready', url: redis.url, description: redis.description, cli: redis.cli });
      say(`Redis: ${redis.description}. Look inside with: ${redis.cli}`);
      // From now on, a Redis that stops answering is said, here and on the page.
      const { RedisWatch } = await import('./redis-watch.ts');
      if (stopped) return;
      redisWatch = new RedisWatch(redis, {
        onChange: (next) => {
          const was = state.redis.state;
          state.setRedis(next);
          if (next.state === 'down' && was !== 'down') warn(`${next.message} ${next.todo}`);
          if (next.state === 'ready' && was === 'down') say(`Redis answers again: ${next.description}.`);
        },
      });
      state.redisControl = redisWatch;
      redisWatch.start();
    } catch (err) {
      const message = err instanceof RedisUnavailableError ? err.message : `Redis could not be started: ${(err as Error).message}`;
      state.setRedis({ state: 'unavailable', message });
      const without = steps().filter((s) => !withRedis.includes(s.name)).map((s) => s.name);
      const needRedis = `${listed(withRedis)} ${withRedis.length === 1 ? 'needs' : 'need'} Redis`;
      warn(`${message}\n${without.length ? `The slides and ${listed(without)} keep working; ${needRedis}.` : `The slides keep working; ${needRedis}.`}`);
    }
  };

  const prepareWorkspace = async () => {
    try {
      const ws = await loadWorkspace();
      const created = await ws.ensureWorkspace({ places: state.places, log: say });
      if (created) say(`Created ${ws.display(state.workspace)}/ from ${relative(workshop().root, workshop().start)}: this is your app, edit it there.`);
    } catch (err) {
      warn(`The workspace could not be prepared: ${(err as Error).message}`);
    }
  };

  const startApps = async (redisReady: Promise<void>, workspaceReady: Promise<void>) => {
    const { SupervisedApp } = await import('./apps.ts');
    const { workspace: workspacePort, solution: solutionPort } = state.appPorts;
    const redisEnv = (): Record<string, string> => (state.redis.state === 'ready' ? { REDIS_URL: state.redis.url } : {});
    const workspace = new SupervisedApp({ id: 'workspace', dir: state.workspace, port: workspacePort });
    const solution = new SupervisedApp({ id: 'solution', dir: state.step.dir, port: solutionPort });
    for (const app of [workspace, solution]) {
      apps.push(app);
      state.adopt(app);
      app.on('status', (s: SupervisedApp['status']) => {
        const who = s.id === 'workspace' ? 'Your app' : 'The step solution';
        if (s.state === 'running') say(`${who}: ${s.url} (${s.dir === state.workspace ? 'workspace/' : s.dir.replace(workshop().root + '/', '')})`);
        else if (s.message && s.state !== 'stopped') {
          const last = app.log.filter((l) => l.stream === 'stderr').slice(-12).map((l) => `  ${l.text}`);
          warn([`${who}: ${s.message}`, ...last].join('\n'));
        }
      });
    }
    // A save makes the results kept so far stale; it re-verifies when the learner turned watching on.
    workspace.on('changed', () => {
      ui.verifier.workspaceChanged('your last change');
      if (state.watch) void ui.verifier.run();
    });
    state.changed();
    // The apps wait for Redis: an app of a step with Redis would crash without REDIS_URL.
    await Promise.all([redisReady, workspaceReady]);
    if (stopped) return;
    for (const app of apps) app.setEnv(redisEnv());
    await Promise.all([workspace.start(), solution.start()]);
  };

  // Decks change while an author edits them, and code excerpts follow the step files.
  const watchDecks = async () => {
    const { watch } = await import('chokidar');
    const watcher = watch(contentFolders(workshop()), { ignoreInitial: true, ignored: (p: string) => isIgnoredChange(p, workshop().root) });
    let timer: NodeJS.Timeout | undefined;
    watcher.on('all', () => {
      // An editor's save is several events (swap files aside): one refresh per burst.
      clearTimeout(timer);
      timer = setTimeout(() => {
        ui.decks.invalidate();
        state.emit('decks', {});
      }, 100);
    });
    watcher.on('error', () => {});
    closers.push(() => {
      clearTimeout(timer);
      return watcher.close();
    });
  };

  // The current step's deck first, and the first slide out of the door
  // (or a moment to ask for it), before anything else competes for the
  // one thread: a learner sees slides at once, Redis and the apps follow.
  const ready = ui.decks.get(state.step.name).catch(() => undefined).then(async () => {
    await stage('first deck rendered');
    await ui.firstSlideSent(300);
    await stage('starting Redis and the apps');
    const redisReady = startRedis();
    const workspaceReady = prepareWorkspace();
    return Promise.all([redisReady, workspaceReady, startApps(redisReady, workspaceReady), watchDecks()]);
  })
    .then(async () => {
      trace('Redis and apps settled');
      // Render every deck in the background: later steps open instantly.
      for (const s of steps()) await ui.decks.get(s.name).catch(() => undefined);
    })
    .catch((err: unknown) => warn(`The workshop could not start everything: ${(err as Error).message}`));

  return {
    state,
    ui,
    url,
    link: linkFor(url, state.token),
    ready,
    async stop() {
      stopped = true;
      redisWatch?.stop(); // our own stop of redis-server is not news
      await Promise.allSettled([...apps.map((a) => a.dispose()), ...closers.map((c) => c()), ui.close()]);
      await redis?.stop();
    },
  };
}

/** "step1", "step1 and step2", "step1, step2 and step3". */
function listed(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
