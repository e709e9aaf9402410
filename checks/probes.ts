// The observations the checks judge, each made once per run. They do the
// talking to the app and to Redis; the checks in step1..3.ts only judge.
import { AppStartError, isSigned, latestByName, unsignedValue, type Page, type RunningApp, type SetCookie, type VerifyContext, type Visitor } from 'workshop-runner';

/**
 * The app is up, and (step 3) the static-file probe is done, so Redis is
 * quiet while it counts keys, and so is the restart's first visit, so the
 * fresh copy of the app (the slowest thing of the run) starts as early as it may.
 */
export async function ready(ctx: VerifyContext): Promise<RunningApp> {
  const app = await ctx.main();
  if (ctx.redis) {
    await staticFile(ctx).catch(() => {});
    await restartVisit(ctx).catch(() => {});
  }
  return app;
}

export interface StaticObservation {
  page: Page;
  /** Keys that appeared in Redis during the request (step 3). */
  newKeys: string[];
}

/** A new visitor's GET /stylesheets/style.css — first of all, with Redis quiet. */
export function staticFile(ctx: VerifyContext): Promise<StaticObservation> {
  return ctx.once('static', async () => {
    const app = await ctx.main();
    const before = new Set(ctx.redis ? await ctx.redis.keys() : []);
    const page = await ctx.visit(ctx.visitor(), app, '/stylesheets/style.css');
    const after = ctx.redis ? await ctx.redis.keys() : [];
    return { page, newKeys: after.filter((k) => !before.has(k)) };
  });
}

export interface Visits {
  visitor: Visitor;
  pages: Page[];
}

/** A new visitor's GET /, and the same visitor's second one (with the cookies from the first). */
export function firstVisit(ctx: VerifyContext): Promise<Visits> {
  return ctx.once('first-visit', async () => {
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    const first = await ctx.visit(visitor, app, '/');
    return { visitor, pages: [first, await ctx.visit(visitor, app, '/')] };
  });
}

/** Three GET / with one cookie jar: the counter's 1, 2, 3. */
export function threeVisits(ctx: VerifyContext): Promise<Visits> {
  return ctx.once('three-visits', async () => {
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push(await ctx.visit(visitor, app, '/'));
    return { visitor, pages };
  });
}

/** Another new visitor's GET /, after the first one's three. */
export function otherVisitor(ctx: VerifyContext): Promise<Visits> {
  return ctx.once('other-visitor', async () => {
    await threeVisits(ctx).catch(() => {});
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    return { visitor, pages: [await ctx.visit(visitor, app, '/')] };
  });
}

/** The session id inside a signed cookie value, if it is one. */
function sid(cookie: SetCookie): string | undefined {
  return isSigned(cookie.value) ? unsignedValue(cookie.value) : undefined;
}

/** Keys of the run's Redis whose name holds the id of one of `visitor`'s sessions (from its signed cookies). */
export async function sessionKeysOf(ctx: VerifyContext, visitor: Visitor): Promise<string[]> {
  const ids = latestByName(visitor.received).map(sid).filter((x): x is string => !!x);
  if (!ctx.redis || !ids.length) return [];
  return (await ctx.redis.keys()).filter((k) => ids.some((id) => k.endsWith(id)));
}

export interface SessionCookie {
  /** The session cookie as last set for the three-visit visitor. */
  cookie?: SetCookie;
  /** Its record in Redis. */
  key?: string;
}

/**
 * Which cookie is the session's: the signed one whose id names a key in our
 * Redis (the name and the key prefix are the learner's choice), else one
 * named connect.sid (express-session's default) for an app without Redis.
 */
export function sessionCookie(ctx: VerifyContext): Promise<SessionCookie> {
  return ctx.once('session-cookie', async () => {
    if (!ctx.redis) return {};
    const { visitor } = await threeVisits(ctx);
    const cookies = latestByName(visitor.received);
    const keys = ctx.redis ? await ctx.redis.keys() : [];
    for (const cookie of cookies) {
      const id = sid(cookie);
      const key = id && keys.find((k) => k.endsWith(id));
      if (key) return { cookie, key };
    }
    return { cookie: cookies.find((c) => c.name === 'connect.sid') };
  });
}

/** The signed cookies a new visitor gets on GET / that are not the session's: step 2's first-visit cookie. */
export async function visitCookies(ctx: VerifyContext): Promise<SetCookie[]> {
  const { pages } = await firstVisit(ctx);
  const session = (await sessionCookie(ctx).catch(() => ({}) as SessionCookie)).cookie?.name;
  return latestByName(pages[0]?.setCookies ?? []).filter((c) => isSigned(c.value) && c.name !== session);
}

export interface RestartObservation {
  /** The page of the visit to the main instance, and of the same visitor's next visit to the fresh copy. */
  before: Page;
  after: Page;
  /** The fresh copy, started after the visit: it keeps running beside the main instance. */
  restarted: RunningApp;
  visitor: Visitor;
  /** Keys of the visitor's session in Redis after the second visit. */
  sessionKeys: string[];
}

/**
 * One visit to the main instance; then a fresh copy of the app starts (a
 * new process: nothing of the first one's memory) on the same Redis, and
 * the same visitor comes back to it. One new instance proves both the
 * restart and the sharing: it starts after the count was made, and runs
 * beside the first. Runs in the background from the start of a step-3 run:
 * it is the slowest chain of the run.
 */
export function restart(ctx: VerifyContext): Promise<RestartObservation> {
  return ctx.once('restart', async () => {
    const { visitor, before } = await restartVisit(ctx);
    await ctx.pauseForTests('restart');
    const restarted = await ctx.second().catch((err: unknown) => {
      throw restartFailed('A fresh copy of the app', err);
    });
    const after = await ctx.visit(visitor, restarted, '/');
    return { before, after, restarted, visitor, sessionKeys: await sessionKeysOf(ctx, visitor) };
  });
}

/** The first GET / of a step-3 run (after the static-file probe): the visit a fresh copy of the app must continue. */
function restartVisit(ctx: VerifyContext): Promise<{ visitor: Visitor; before: Page }> {
  return ctx.once('restart-visit', async () => {
    const first = await ctx.main();
    await staticFile(ctx).catch(() => {});
    const visitor = ctx.visitor();
    return { visitor, before: await ctx.visit(visitor, first, '/') };
  });
}

function restartFailed(what: string, err: unknown): Error {
  if (err instanceof AppStartError) return new AppStartError(`${what} did not start: ${err.message}`, err.hint, err.slide);
  return err instanceof Error ? err : new Error(String(err));
}
