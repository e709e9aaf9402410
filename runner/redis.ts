// Finding a Redis for the workshop, in the README's order ("Redis"):
//   1. REDIS_URL, if set;
//   2. a Redis already answering on 127.0.0.1:6379;
//   3. a redis-server from PATH, started by us on loopback (6379 when free),
//      its data in .workshop/redis/ so sessions outlive a restart;
//   4. otherwise a clear message with the install commands.
// Every server we start is a Child (runner/process/child.ts): it stops when we do.
import { mkdir } from 'node:fs/promises';
import { delimiter, dirname, join, relative } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { openRedis, preloadRedisClient, reasonOf } from './redis-client.ts';
import { describeRunning, ownerOf, workshopFolder, writeOwnerNote, type Owner } from './redis-owner.ts';
import { startChild, type Child } from './process/child.ts';
import { freePort, isPortFree } from './process/ports.ts';
import type { Scope } from './process/scope.ts';
import { stateDir, workshopRoot } from './paths.ts';

export const DEFAULT_PORT = 6379;

export type RedisSource = 'env' | 'running' | 'started';

export interface RedisConnection {
  url: string;
  source: RedisSource;
  /** One line for the terminal and the UI: which Redis this is. */
  description: string;
  /** The redis-cli command that reaches it, as a learner would type it. */
  cli: string;
  /** The server we started, if we started one (the current one, after a start again). */
  readonly server?: RedisServer;
  /** Who started a Redis we found running on loopback. */
  owner?: Owner;
  /**
   * Starts our redis-server again, on the same port with the same data,
   * after it stopped: only for one we started (the others are not ours to run).
   */
  startAgain?(): Promise<void>;
  /** Stops the server if we started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface RedisServer {
  port: number;
  url: string;
  process: Child;
  stop(): Promise<void>;
}

/** Redis is not to be had: the message says what to do. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export const installHelp = [
  'Install Redis (version 6 or newer), then run the workshop again:',
  '  Debian/Ubuntu:  sudo apt-get install -y redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker run -d -p 6379:6379 redis:7',
].join('\n');

/** The URL with any password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Answers 'PONG', or throws with the reason Redis could not be reached. */
export async function ping(url: string, timeoutMs = 2000): Promise<void> {
  // The clock is for Redis, not for loading the client library (slow on a cold start).
  await preloadRedisClient();
  const opening = openRedis(url, timeoutMs);
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([opening.then((client) => client.command('PING')), timer]);
  } finally {
    // Closed whenever it opens, even after we gave up waiting.
    opening.then((client) => client.close(), () => {});
  }
}

/** The path of an executable on PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface StartServerOptions {
  /** The port to use; 0 or absent means a free one. */
  port?: number;
  /** Where the server keeps its data (its working directory). */
  dir: string;
  /** Save to disk (on shutdown and every minute with changes)? Throwaway servers don't. */
  persist: boolean;
  binary?: string;
  startTimeoutMs?: number;
  /** The scope that owns the server: it is SIGKILLed when the scope closes (no data to save). */
  scope?: Scope;
}

/** Starts a redis-server on 127.0.0.1 and resolves once it answers PING. */
export async function startRedisServer(options: StartServerOptions): Promise<RedisServer> {
  const binary = options.binary ?? findOnPath('redis-server');
  if (!binary) throw new RedisUnavailableError(`redis-server is not installed (not found on PATH).\n${installHelp}`);
  await mkdir(options.dir, { recursive: true });
  const port = options.port || (await freePort());
  // Another server on the port would answer in place of ours.
  if (!(await isPortFree(port))) throw new RedisUnavailableError(`redis-server did not start on port ${port}: the port is in use.`);
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', options.dir,
    '--save', options.persist ? '60 1' : '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--loglevel', 'notice',
  ];
  // Ready means our own process said so, not just "something answers".
  let ready!: () => void;
  const readyLine = new Promise<void>((resolve) => (ready = resolve));
  const childOptions = {
    cwd: options.dir,
    keepLines: 50,
    onLine: (line: string) => /Ready to accept connections/.test(line) && ready(),
  };
  const child = options.scope
    ? options.scope.startChild(binary, args, { ...childOptions, graceMs: 0, phase: 'last' })
    : startChild(binary, args, childOptions);
  const url = `redis://127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const state = await Promise.race([
    readyLine.then(() => 'ready' as const),
    child.exited.then(() => 'exited' as const),
    // Through setImmediate: after a stalled event loop, timers run before pending
    // output is read, and the ready line may be waiting there.
    new Promise<'timeout'>((r) => (timer = setTimeout(() => setImmediate(() => r('timeout')), timeoutMs))),
    new Promise<'cancelled'>((r) => {
      onAbort = () => r('cancelled');
      options.scope?.signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  options.scope?.signal.removeEventListener('abort', onAbort);
  if (state === 'cancelled') {
    await child.stop(0);
    throw new Error('the run ended while redis-server was starting');
  }
  if (state !== 'ready') {
    await child.stop(500);
    const why = child.exit?.error ?? child.log.filter((l) => /#|error|fatal/i.test(l)).slice(-2).join(' / ');
    throw new RedisUnavailableError(`redis-server did not start on port ${port}${why ? `: ${why}` : ''}.`);
  }
  return {
    port,
    url,
    process: child,
    // SIGTERM lets Redis save its data before it exits.
    stop: async () => void (await child.stop(5000)),
  };
}

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  /** Where a server we start keeps its data; default .workshop/redis. */
  dataDir?: string;
  /** The port learners' tools assume (6379); tests pass a free one, or set WORKSHOP_REDIS_PORT for a whole runner. */
  port?: number;
}

/** What a learner types to reach the Redis on this loopback port. */
function cliFor(port: number): string {
  return port === DEFAULT_PORT ? 'redis-cli' : `redis-cli -p ${port}`;
}

/** Finds or starts a Redis, in the order above, or throws RedisUnavailableError. */
export async function findRedis(options: FindOptions = {}): Promise<RedisConnection> {
  const env = options.env ?? process.env;
  const noop = async () => {};

  if (env.REDIS_URL) {
    const url = env.REDIS_URL;
    try {
      await ping(url);
    } catch (err) {
      throw new RedisUnavailableError(
        `REDIS_URL is set to ${redactUrl(url)}, but Redis does not answer there (${reasonOf(err)}): ` +
          'start that Redis or correct the URL, or unset REDIS_URL to let the workshop find or start one.',
      );
    }
    return {
      url,
      source: 'env',
      description: `Redis from REDIS_URL (${redactUrl(url)})`,
      cli: `redis-cli -u ${redactUrl(url)}`,
      stop: noop,
    };
  }

  const defaultPort = options.port ?? (Number(env.WORKSHOP_REDIS_PORT) || DEFAULT_PORT);
  const localUrl = `redis://127.0.0.1:${defaultPort}`;
  const dataDir = options.dataDir ?? join(stateDir(env), 'redis');
  const answers = (ms: number) => ping(localUrl, ms).then(() => true, () => false);
  // Something listens but is slow to answer (a busy machine): give it longer
  // before starting a second Redis beside it. Nothing (or not a Redis) there: start our own.
  if ((await answers(500)) || (!(await isPortFree(defaultPort)) && (await answers(3000)))) {
    // Another workshop's Redis, perhaps: its sessions would show as ours, so say whose it is.
    const owner = await ownerOf(localUrl, dirname(dataDir));
    return {
      url: localUrl,
      source: 'running',
      description: describeRunning(owner, defaultPort),
      cli: cliFor(defaultPort),
      owner,
      stop: noop,
    };
  }

  const binary = findOnPath('redis-server', env);
  if (!binary) {
    throw new RedisUnavailableError(
      `No Redis found: REDIS_URL is not set, nothing answers on 127.0.0.1:${defaultPort}, and redis-server is not installed.\n${installHelp}`,
    );
  }
  const port = (await isPortFree(defaultPort)) ? defaultPort : 0;
  let server: RedisServer;
  try {
    server = await startRedisServer({ port, dir: dataDir, persist: true, binary });
  } catch (err) {
    // Someone took 6379 between our look and our start: use any free port.
    if (port !== defaultPort) throw err;
    server = await startRedisServer({ port: 0, dir: dataDir, persist: true, binary });
  }
  // The note that tells another workshop on this machine whose Redis this is.
  const leaveNote = (s: RedisServer) =>
    writeOwnerNote(dataDir, { redisPid: s.process.pid, runnerPid: process.pid, workshop: workshopFolder(dirname(dataDir)), state: dirname(dataDir) }).catch(() => {});
  await leaveNote(server);
  const shownDir = relative(workshopRoot(), dataDir).startsWith('..') ? dataDir : relative(workshopRoot(), dataDir);
  let stopped = false;
  let restarting: Promise<void> | undefined;
  return {
    url: server.url,
    source: 'started',
    description: `redis-server started by the workshop on 127.0.0.1:${server.port} (data in ${shownDir})`,
    cli: cliFor(server.port),
    get server() {
      return server;
    },
    // Same port, so the apps' REDIS_URL stays right and their clients reconnect by themselves.
    startAgain: () =>
      (restarting ??= (async () => {
        if (stopped) throw new Error('the workshop is stopping');
        await server.stop(); // whatever is left of the old one (a hung server)
        const fresh = await startRedisServer({ port: server.port, dir: dataDir, persist: true, binary });
        server = fresh;
        // Stopped meanwhile: stop() waited for us, and stops this one too.
        await leaveNote(fresh);
      })().finally(() => (restarting = undefined))),
    async stop() {
      stopped = true;
      await restarting?.catch(() => {});
      await server.stop();
    },
  };
}
