// The I/O edge of the checks: starting the app under test as `node <entry>`
// in its folder on a free PORT, knowing when it listens (the port accepts
// connections, and the socket is the child's own), a Redis of the run's own,
// and stopping everything the run started, whatever happens. Everything a
// run starts belongs to its Scope (runner/process/scope.ts): once the run
// ends, nothing new starts, and what is starting is waited for and stopped.
import { tmpdir } from 'node:os';
import { untilListening, type Child } from '../process/child.ts';
import { freePort, isPortFree } from '../process/ports.ts';
import type { Scope } from '../process/scope.ts';
import { findOnPath, installHelp, redactUrl, RedisUnavailableError, startRedisServer } from '../redis.ts';
import type { CheckResult, Diagnose, SlideLink } from './check.ts';
import { combineDiagnoses, hintForOtherPort, quoteStderr } from './diagnose.ts';
import { openRedis, redisPort, withDatabase, type ChecksRedis, type Reply } from '../redis-client.ts';

export interface AppSpec {
  dir: string;
  entry: string;
  /** The environment the app starts with; PORT is added. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** For hints: the Redis port we gave the app. */
  redisPort?: number;
  /** Called once the process is spawned, before it is ready. */
  onSpawn?: () => void;
  /** Reads a crash's stderr (the workshop's diagnoses first); default: any Node app's mistakes. */
  diagnose?: Diagnose;
}

export interface RunningApp {
  port: number;
  /** `http://127.0.0.1:<port>` (or `http://[::1]:<port>` for an app listening there only). */
  base: string;
  process: Child;
  stderr: string[];
  readyMs: number;
  /** Stops the app and everything it started. */
  stop(): Promise<void>;
}

/** The app did not come up: what happened, and what to do. */
export class AppStartError extends Error {
  override name = 'AppStartError';
  constructor(message: string, readonly hint: string, readonly slide?: SlideLink) {
    super(message);
  }
}

function crashMessage(spec: AppSpec, run: Child, stderr: string[], port: number): AppStartError {
  const exit = run.exit;
  if (exit?.error) return new AppStartError(`\`node ${spec.entry}\` could not be started: ${exit.error}.`, '');
  const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code}`;
  const quoted = quoteStderr(stderr.length ? stderr : run.log);
  const text = stderr.join('\n') || run.log.join('\n');
  const diagnosis = (spec.diagnose ?? combineDiagnoses([]))(text, { port, redisPort: spec.redisPort });
  const hint =
    diagnosis?.hint ||
    (exit?.code === 0
      ? 'The app finished instead of staying up: it must call `app.listen(process.env.PORT)`.'
      : 'Run the app yourself (`node ' + spec.entry + '` in its folder) to see the whole error.');
  const lines = quoted.length ? `\nIts last lines on stderr:\n${quoted.map((l) => `  ${l}`).join('\n')}` : ' It printed nothing.';
  return new AppStartError(`\`node ${spec.entry}\` ${how} before listening on PORT (${port}).${lines}`, hint, diagnosis?.slide);
}

/**
 * Starts the app in `scope` and resolves once it listens on `port` (a free
 * one by default). Refused (ScopeClosedError) once the scope is closing; a
 * close during the start ends the wait, and the scope stops the app.
 */
export function startApp(spec: AppSpec, scope: Scope, port?: number): Promise<RunningApp> {
  return scope.track(launch(spec, scope, port));
}

async function launch(spec: AppSpec, scope: Scope, wanted?: number, retried = false): Promise<RunningApp> {
  scope.assertOpen();
  const port = wanted !== undefined && (await isPortFree(wanted)) ? wanted : await freePort();
  const stderr: string[] = [];
  const started = performance.now();
  const run = scope.startChild(process.execPath, [spec.entry], {
    cwd: spec.dir,
    env: { ...spec.env, PORT: String(port) },
    keepLines: 100,
    graceMs: 1000,
    onLine: (line, stream) => {
      if (stream === 'stderr') {
        stderr.push(line);
        if (stderr.length > 100) stderr.shift();
      }
    },
  });
  spec.onSpawn?.();
  const stop = () => run.stop(1000).then(() => undefined);
  const fail = async (err: Error): Promise<never> => {
    await stop();
    throw err;
  };

  const ready = await untilListening(run, port, { timeoutMs: spec.timeoutMs, signal: scope.signal });
  switch (ready.state) {
    case 'listening':
      return { port, base: ready.base, process: run, stderr, readyMs: Math.round(performance.now() - started), stop };
    case 'exited':
      // Another program took the port we picked between our look and the app's
      // listen: not the app's fault, so it gets one more port.
      if (wanted === undefined && !retried && lostPort(stderr, port)) {
        await stop();
        return launch(spec, scope, undefined, true);
      }
      return fail(crashMessage(spec, run, stderr, port));
    case 'not-ours':
      return fail(
        new AppStartError(`Something other than the app answers on port ${port}: the app did not bind PORT itself.`, hintForOtherPort(run.log, port)),
      );
    case 'elsewhere':
      return fail(
        new AppStartError(
          `The app listens on port ${ready.ports.join(', ')}, not on the port it was given in PORT (${port}).`,
          hintForOtherPort(run.log, port, ready.ports),
        ),
      );
    case 'cancelled':
      return fail(new Error('the run ended while the app was starting'));
    case 'timeout': {
      const seconds = (spec.timeoutMs / 1000).toFixed(1).replace(/\.0$/, '');
      // The wait is the app's own time: on a busy machine, the time it spent waiting for a CPU is added.
      const clock = ready.clockMs >= spec.timeoutMs + 1000 ? ` (${(ready.clockMs / 1000).toFixed(1)} s on the clock: the machine was busy)` : '';
      const printed = quoteStderr(run.log, 5);
      return fail(
        new AppStartError(
          `\`node ${spec.entry}\` was still running but not listening on PORT (${port}) after ${seconds} s${clock}.` +
            (printed.length ? `\nIts last lines of output:\n${printed.map((l) => `  ${l}`).join('\n')}` : ''),
          hintForOtherPort(run.log, port) + ' If it just needs more time to start, pass a longer wait: `-- --timeout 15000`.',
        ),
      );
    }
  }
}

function lostPort(stderr: readonly string[], port: number): boolean {
  return stderr.some((l) => l.includes('EADDRINUSE') && l.includes(`:${port}`));
}

// --- Redis: a throwaway server, or a database of our own on REDIS_URL.

/**
 * The checks' Redis stopped answering during the run (killed, or its machine
 * went away): every failure then says so, instead of a hint about the
 * learner's code that the lost Redis, not their code, set off.
 */
export function blameLostRedis(result: CheckResult, redis: SessionRedis): CheckResult {
  const hint = `The checks' own Redis (${redis.description}) stopped answering during the run, so this failure may not be your app's doing. Run the checks again.`;
  return result.status === 'failed' ? { ...result, hint } : result;
}

export interface SessionRedis {
  /** What the app gets as REDIS_URL. */
  url: string;
  port: number;
  /** One line: which Redis the checks use. */
  description: string;
  /** Opens the checks' connection now (it opens on first use otherwise). */
  connect(): Promise<void>;
  /** The session data's keys (our own bookkeeping excluded). */
  keys(): Promise<string[]>;
  /**
   * A key's value as text: a string as it is; a hash as a JSON object; a
   * list as a JSON array, in order; a set as a JSON array, sorted; a sorted
   * set as a JSON object of member to score; a RedisJSON value as its JSON.
   * Undefined when there is no such key (or it is of another type).
   */
  read(key: string): Promise<string | undefined>;
  /**
   * For each of `texts`, the keys whose name or value (as `read` gives it)
   * contains it, in either case: `const [keys] = await redis.holding(name)`.
   * Every key is read once, however many texts are asked for.
   */
  holding(...texts: string[]): Promise<string[][]>;
  /** A key's time to live in seconds: -1 when it never expires, undefined when there is no such key. */
  ttl(key: string): Promise<number | undefined>;
  /** Any read-only command on the run's database, e.g. `command('ZCARD', key)`. */
  command(...args: (string | number)[]): Promise<Reply>;
  /** Every command the run's Redis runs, to `onLine`, until the returned function is called (MONITOR; see ChecksRedis). */
  monitor(onLine: (line: string) => void): Promise<() => void>;
  /** How many connections other than ours the database has (the app's). */
  appConnections(): Promise<number>;
  /** Whether it still answers (within a second): a Redis lost mid-run makes failures not the app's. */
  answering(): Promise<boolean>;
  /** True once a server of our own has exited: known at once, without asking. */
  exited(): boolean;
}

const CLAIM_KEY = 'workshop:verify:claim';

/** A flat reply of HGETALL or ZRANGE … WITHSCORES as an object. */
function pairs(flat: string[]): Record<string, string> {
  const obj: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) obj[flat[i] as string] = flat[i + 1] as string;
  return obj;
}

/**
 * `connect` opens our client (and learns its CLIENT ID) on first use, or
 * when `connect()` is called: verify calls it once the app is spawned, so
 * loading the Redis library overlaps the app's boot instead of delaying it.
 */
function sessionRedis(
  url: string,
  open: () => Promise<{ client: ChecksRedis; ownId: number }>,
  db: number,
  description: string,
  /** False once a server of our own has exited: no need to ask it. */
  running: () => boolean = () => true,
): SessionRedis {
  let opening: Promise<{ client: ChecksRedis; ownId: number }> | undefined;
  const connection = () => {
    // Without a listener, a failed connection nobody asked for yet would be an unhandled rejection.
    if (!opening) (opening = open()).catch(() => {});
    return opening;
  };
  const command = async (...args: (string | number)[]) => (await connection()).client.command(...args);
  return {
    url,
    port: redisPort(url),
    description,
    connect: async () => void (await connection()),
    keys: async () => (await (await connection()).client.keys()).filter((k) => k !== CLAIM_KEY),
    monitor: async (onLine) => (await connection()).client.monitor(onLine),
    async read(key) {
      const type = await command('TYPE', key);
      switch (type) {
        case 'string':
          return ((await command('GET', key)) as string | null) ?? undefined;
        case 'hash':
          return JSON.stringify(pairs((await command('HGETALL', key)) as string[]));
        case 'list':
          return JSON.stringify(await command('LRANGE', key, 0, -1));
        case 'set':
          return JSON.stringify(((await command('SMEMBERS', key)) as string[]).sort());
        case 'zset':
          return JSON.stringify(pairs((await command('ZRANGE', key, 0, -1, 'WITHSCORES')) as string[]));
        case 'ReJSON-RL':
          return ((await command('JSON.GET', key)) as string | null) ?? undefined;
        default:
          return undefined;
      }
    },
    async holding(...texts) {
      const needles = texts.map((t) => t.toLowerCase());
      const found = texts.map((): string[] => []);
      for (const key of await this.keys()) {
        const text = `${key}\n${(await this.read(key)) ?? ''}`.toLowerCase();
        needles.forEach((needle, i) => text.includes(needle) && found[i]!.push(key));
      }
      return found;
    },
    async ttl(key) {
      const seconds = Number(await command('TTL', key));
      return seconds === -2 ? undefined : seconds;
    },
    command,
    async appConnections() {
      const { ownId } = await connection();
      const list = String(await command('CLIENT', 'LIST'));
      return list
        .split('\n')
        .filter((line) => line.trim())
        .filter((line) => Number(/\bid=(\d+)/.exec(line)?.[1]) !== ownId && Number(/\bdb=(\d+)/.exec(line)?.[1] ?? 0) === db)
        .length;
    },
    exited: () => !running(),
    async answering() {
      if (!running()) return false;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), 1000)));
      try {
        return (await Promise.race([command('PING'), late])) === 'PONG';
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A Redis for one run that holds nobody else's data: a throwaway
 * redis-server when the binary is installed, otherwise an empty database of
 * the Redis in REDIS_URL (or on 127.0.0.1:6379), claimed for the run and
 * emptied of the keys it created afterwards.
 */
export function provideRedis(env: NodeJS.ProcessEnv, scope: Scope, step = 'This step'): Promise<SessionRedis> {
  return scope.track(redisFor(env, scope, step));
}

async function redisFor(env: NodeJS.ProcessEnv, scope: Scope, step: string): Promise<SessionRedis> {
  const binary = findOnPath('redis-server', env);
  if (binary) {
    // No folder of its own: a server that never saves (and is killed, not
    // shut down) writes nothing, so even a verify killed mid-run leaves no trace.
    let client: ChecksRedis | undefined;
    scope.defer(async () => client?.close(), 'last');
    // In the scope: SIGKILLed at its close (nothing to save, and SIGTERM would wait for Redis's next cron tick, ~100 ms).
    const server = await startRedisServer({ dir: tmpdir(), persist: false, binary, scope });
    const open = () =>
      openRedis(server.url).then(async (c) => {
        client = c;
        return { client: c, ownId: Number(await c.command('CLIENT', 'ID')) };
      });
    return sessionRedis(server.url, open, 0, `a throwaway redis-server on port ${server.port}`, () => !server.process.exit);
  }

  const base = env.REDIS_URL || 'redis://127.0.0.1:6379';
  let client: ChecksRedis;
  try {
    client = await openRedis(withDatabase(base, 0));
  } catch (err) {
    throw new RedisUnavailableError(
      `${step} needs Redis: redis-server is not installed, and ${env.REDIS_URL ? 'the Redis in REDIS_URL' : 'nothing on 127.0.0.1:6379'} answers (${(err as Error).message}).\n${installHelp}`,
    );
  }
  let claimed = false;
  scope.defer(async () => {
    if (claimed) {
      // Everything in this database appeared during our run: the app's sessions and our claim.
      const keys = await client.keys();
      for (let i = 0; i < keys.length; i += 500) await client.command('UNLINK', ...keys.slice(i, i + 500));
    }
    client.close();
  }, 'last');
  const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  for (let db = 15; db >= 1; db--) {
    try {
      await client.command('SELECT', db);
    } catch {
      continue; // fewer databases than 16, or SELECT not allowed
    }
    if (Number(await client.command('DBSIZE')) !== 0) continue;
    // Claim it, so a verify running at the same time picks another one.
    if ((await client.command('SET', CLAIM_KEY, token, 'NX', 'PX', 10 * 60_000)) !== 'OK') continue;
    if (Number(await client.command('DBSIZE')) !== 1) {
      await client.command('DEL', CLAIM_KEY);
      continue;
    }
    claimed = true;
    const ownId = Number(await client.command('CLIENT', 'ID'));
    const shown = new URL(redactUrl(base));
    return sessionRedis(withDatabase(base, db), async () => ({ client, ownId }), db, `database ${db} of ${shown.host} (emptied afterwards)`);
  }
  throw new RedisUnavailableError(
    `${step} needs a Redis database of its own, but every database 1–15 of the Redis in REDIS_URL holds data (or SELECT is not allowed). ` +
      `Install redis-server so the checks can start a throwaway one.\n${installHelp}`,
  );
}
