// What the checks of one run share: the app under test (its files, the
// running instances), the run's Redis, and the observations several checks
// judge, each made once ("probes"). Probes are memoised promises started as
// early as possible, so slow work (the second instance, the restart)
// overlaps with the quick checks. Nothing here is global: two runs in one
// process do not see each other.
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { CheckFailed, type Diagnose } from './check.ts';
import type { Scope } from '../process/scope.ts';
import { AppStartError, startApp, type AppSpec, type RunningApp, type SessionRedis } from './harness.ts';
import { combineDiagnoses, quoteStderr } from './diagnose.ts';
import { actionIs, formsOf } from './forms.ts';
import { methodOf, send, Visitor, type FormFields, type Page, type Request, type VisitorOptions } from './http.ts';
import type { PackageJson } from './imports.ts';
import { firstLines, pageLines } from './page.ts';

export interface SourceFile {
  /** Relative to the app folder. */
  path: string;
  source: string;
}

export interface AppFiles {
  sources: SourceFile[];
  /** .pug files, relative to the app folder. */
  views: string[];
}

export interface AppUnderTest {
  dir: string;
  entry: string;
  pkg?: PackageJson;
  /** Why package.json could not be read, if it could not. */
  pkgError?: string;
}

const SKIP_DIRS = new Set(['node_modules', 'public', 'bower_components', 'coverage', 'dist']);
const MAX_FILES = 400;

/** The app's own JavaScript files (not node_modules, not public/) and its pug views. */
export async function scanApp(dir: string, entry: string): Promise<AppFiles> {
  const sources: SourceFile[] = [];
  const views: string[] = [];
  const entryPath = join(dir, entry);
  async function walk(sub: string, depth: number): Promise<void> {
    if (depth > 6 || sources.length + views.length > MAX_FILES) return;
    const entries = await readdir(sub, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        const path = join(sub, e.name);
        if (e.isDirectory()) {
          if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) await walk(path, depth + 1);
        } else if (e.name.endsWith('.pug')) {
          views.push(relative(dir, path));
        } else if (['.js', '.mjs', '.cjs'].includes(extname(e.name)) || path === entryPath) {
          const info = await stat(path).catch(() => undefined);
          if (info && info.size < 1024 * 1024) sources.push({ path: relative(dir, path), source: await readFile(path, 'utf8') });
        }
      }),
    );
  }
  await walk(dir, 0);
  sources.sort((a, b) => a.path.localeCompare(b.path));
  views.sort();
  return { sources, views };
}

export interface VerifyContextOptions {
  /** The step being checked (its name, as in workshop.json). */
  step: string;
  app: AppUnderTest;
  timeoutMs: number;
  /** The environment apps start with (PORT and REDIS_URL are set on top). */
  env: NodeJS.ProcessEnv;
  redis?: SessionRedis;
  /** Owns every process the run starts. */
  scope: Scope;
  /** Notes what happened when, for `WORKSHOP_TRACE=1` (where the time goes). */
  trace?: (event: string) => void;
  /** The diagnoses of the steps being checked, latest step first (StepChecks.diagnose). */
  diagnoses?: Diagnose[];
}


/** A visitor held by its Cookie header (no jar keeps what the answers set), with the User-Agent of its device if it has one. */
export interface HeldVisitor {
  cookie: string;
  userAgent?: string;
}

export class VerifyContext {
  readonly step: string;
  readonly app: AppUnderTest;
  readonly timeoutMs: number;
  readonly redis?: SessionRedis;
  private readonly env: NodeJS.ProcessEnv;
  private readonly scope: Scope;
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly seen: Page[] = [];
  /** Per form (page and action): whether it had hidden fields when first seen (see submit). */
  private readonly formHasHidden = new Map<string, boolean>();
  readonly trace: (event: string) => void;
  /** Reads an app's error text: the steps' diagnoses, then any Node app's mistakes. */
  readonly diagnose: Diagnose;
  /** Resolves when the first app process is spawned: verify's own loading can overlap its boot. */
  readonly spawned: Promise<void>;
  private markSpawned: () => void = () => {};

  constructor(options: VerifyContextOptions) {
    this.trace = options.trace ?? (() => {});
    this.diagnose = combineDiagnoses(options.diagnoses ?? []);
    this.step = options.step;
    this.app = options.app;
    this.timeoutMs = options.timeoutMs;
    this.redis = options.redis;
    this.env = options.env;
    this.scope = options.scope;
    this.spawned = new Promise((resolve) => (this.markSpawned = resolve));
  }

  /**
   * Tests only: with WORKSHOP_PAUSE_AT=<point>, waits at `point` until the
   * run is ending, to open the window where a start meets the clean-up.
   */
  async pauseForTests(point: string): Promise<void> {
    if (this.env.WORKSHOP_PAUSE_AT !== point) return;
    this.trace(`paused at ${point} until the run ends`);
    const { signal } = this.scope;
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }

  /** Runs `make` once per key; every caller gets the same promise. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      p.catch(() => {}); // consumers see the rejection; nobody else should
      this.memo.set(key, p);
    }
    return p;
  }

  get spec(): AppSpec {
    const env: NodeJS.ProcessEnv = { ...this.env };
    // The learner's own Redis is theirs: an app is only ever given ours.
    delete env.REDIS_URL;
    if (this.redis) env.REDIS_URL = this.redis.url;
    return { dir: this.app.dir, entry: this.app.entry, env, timeoutMs: this.timeoutMs, redisPort: this.redis?.port, diagnose: this.diagnose };
  }

  async start(name: string, port?: number): Promise<RunningApp> {
    this.trace(`${name}: starting`);
    try {
      return await startApp({ ...this.spec, onSpawn: this.markSpawned }, this.scope, port);
    } finally {
      this.trace(`${name}: listening (or failed)`);
    }
  }

  /** The instance most checks talk to. */
  main(): Promise<RunningApp> {
    return this.instance('main');
  }

  /**
   * An instance of the app by name, started on first use and kept for the
   * run: each is a new process on its own port, with the run's services
   * (one Redis for all), so a check can restart the app or run several.
   */
  instance(name: string): Promise<RunningApp> {
    return this.once(`instance:${name}`, () => this.start(`${name} instance`));
  }

  /** A second instance (see probes.ts `restart`). */
  second(): Promise<RunningApp> {
    return this.instance('second');
  }

  files(): Promise<AppFiles> {
    return this.once('files', () => scanApp(this.app.dir, this.app.entry));
  }

  /** A new browser: a cookie jar of its own, and a device of its own when given a `userAgent` (sent on every request). */
  visitor(options: VisitorOptions = {}): Visitor {
    return new Visitor(this.timeoutMs, options);
  }

  /**
   * GET `path` as `visitor`, or with a hand-made Cookie header (forged and
   * unsigned cookies, which no jar would send) and, for a device held that
   * way, its User-Agent; a failed request becomes a clear CheckFailed.
   */
  visit(visitor: Visitor | HeldVisitor, app: RunningApp, path: string): Promise<Page> {
    return this.send(visitor, app, { path });
  }

  /**
   * Any request as `visitor` (or with a hand-made Cookie header): a method,
   * a form or JSON body, headers; a redirect is returned as it is unless
   * `follow` is set. A failed request becomes a clear CheckFailed.
   */
  async send(visitor: Visitor | HeldVisitor, app: RunningApp, request: Request): Promise<Page> {
    const method = methodOf(request);
    try {
      const page =
        visitor instanceof Visitor
          ? await visitor.send(app.base, request)
          : await send(new URL(request.path, app.base).toString(), { ...request, cookie: visitor.cookie, userAgent: visitor.userAgent, timeoutMs: this.timeoutMs });
      this.trace(`${method} ${request.path} on :${app.port}: ${page.status} in ${page.ms} ms`);
      this.seen.push(page);
      return page;
    } catch (err) {
      throw await failedRequest(app, `${method} ${request.path}`, err, this.diagnose);
    }
  }

  /** Every answer the run's requests got so far, in the order they came (to judge what all of them show). */
  pagesSeen(): readonly Page[] {
    return this.seen;
  }

  /**
   * Submits a form as a browser does from the app's page `page`: the
   * `fields` given, plus the hidden fields of the page's form that posts to
   * `action` (a CSRF token, say), with the page's Origin. The page is
   * fetched first, as `visitor`, until it has been seen once with that form:
   * if the form had no hidden fields then, it is not fetched again.
   */
  async submit(
    visitor: Visitor | HeldVisitor,
    app: RunningApp,
    { page, action, fields, ...request }: { page: string; action: string; fields: FormFields } & Pick<Request, 'headers' | 'follow' | 'browser'>,
  ): Promise<Page> {
    const key = `${page} ${action}`;
    let hidden: Record<string, string> = {};
    if (this.formHasHidden.get(key) !== false) {
      const shown = await this.visit(visitor, app, page);
      const form = formsOf(shown.body).find((f) => f.method === 'POST' && actionIs(f, action, page));
      if (form) {
        hidden = form.hidden;
        this.formHasHidden.set(key, Object.keys(hidden).length > 0);
      }
    }
    return this.send(visitor, app, { ...request, path: action, form: { ...hidden, ...fields } });
  }

  /** A page that is not what was expected: its status and first lines, and a hint from them. */
  notOk(page: Page, what: string, stderr: readonly string[] = []): CheckFailed {
    return notOk(page, what, stderr, this.diagnose);
  }
}

/**
 * requestFailed, once the app had a moment to be seen exiting: the socket of
 * a request that crashed the app closes before its exit is reported, and
 * "socket hang up" alone would send the learner looking at the wrong thing.
 * The moment is 300 ms in six short waits, not one: after the event loop was
 * stalled (both cores busy), an expired timer runs before the I/O that came
 * in meanwhile, so one long timer could give up before the exit is even read.
 */
export async function failedRequest(app: RunningApp, request: string, err: unknown, diagnose: Diagnose): Promise<CheckFailed> {
  for (let wait = 0; wait < 6 && !app.process.exit; wait++) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([app.process.exited, new Promise((r) => (timer = setTimeout(r, 50)))]);
    clearTimeout(timer);
  }
  return requestFailed(app, request, err, diagnose);
}

/** `request` is "GET /path". */
function requestFailed(app: RunningApp, request: string, err: unknown, diagnose: Diagnose = combineDiagnoses([])): CheckFailed {
  const reason = err instanceof Error ? err.message : String(err);
  if (app.process.exit) {
    const lines = quoteStderr(app.stderr);
    const diagnosis = diagnose(app.stderr.join('\n'), { port: app.port });
    return new CheckFailed(
      `The app stopped while answering ${request} (${reason}).` + (lines.length ? `\nIts last lines on stderr:\n${lines.map((l) => `  ${l}`).join('\n')}` : ''),
      diagnosis?.hint || 'Run the app yourself and open the page to see the error.',
      diagnosis?.slide,
    );
  }
  return new CheckFailed(`${request} failed: ${reason}.`, 'Make sure every route sends an answer (res.render, res.send or next()).');
}

/** A page that is not 200: its status and first lines, and a hint from them. */
function notOk(page: Page, what: string, stderr: readonly string[] = [], diagnose: Diagnose = combineDiagnoses([])): CheckFailed {
  const lines = firstLines(page.body, 3);
  // A pug error starts with the template's lines; the message itself comes after them.
  const head = firstLines(page.body, 20);
  const message = head.find((l) => /Cannot |is not (?:defined|a function)/.test(l)) ?? head.find((l) => /^\w*Error\b/.test(l));
  if (message && !lines.includes(message)) lines.push('…', message);
  const diagnosis = diagnose(`${pageLines(page.body).join('\n')}\n${stderr.join('\n')}`, {});
  return new CheckFailed(
    `${what} answered ${page.status} instead of 200.` + (lines.length ? `\nThe page begins:\n${lines.map((l) => `  ${l}`).join('\n')}` : ''),
    diagnosis?.hint ||
      (page.status === 404 ? 'No route answers this path.' : 'The app threw an error while answering: the lines above show it.'),
    diagnosis?.slide,
  );
}

export { AppStartError };
