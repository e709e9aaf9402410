// Step 4's observations, each made once per run. A lockout lasts 15 minutes
// in Redis and outlives a restart, so the chains below fail logins with
// names of their own, in an order that keeps them apart, and with as few
// password checks as the clauses allow (each is a slow hash, on purpose):
//
// - ada (main instance): one wrong password (its page is compared with
//   mallory's first: mallory is no user); then she logs in (a success
//   clears the failures), and from there two branches: she looks at
//   /account and / and logs out; and five failures (four at once, then the
//   fifth: all 401 if the success cleared the count), then her right
//   password again (refused: she is locked out). Her login waits for every
//   other request that names her: the attacker's, and the victim's own
//   login of the cross-site checks (step4-attacks.ts).
// - mallory (no user): five failures sent at once, a sixth on the main
//   instance (429), and a seventh on the second instance (429 if the count
//   is shared, in Redis).
//
// Both chains start as soon as the app is up and step 3's first probes are
// done (they count Redis keys, which logins would disturb); mallory's burst
// waits for the second instance to be up.
import { cookieHeader, isSigned, latestByName, pageText, unsignedValue, type Page, type RunningApp, type SetCookie, type VerifyContext, type Visitor } from 'workshop-runner';
import { ready, sessionCookie } from './probes.ts';
import { adaBodies, badBodies, behindProxy, crossSiteLogin, loginCsrf, longName, refusedBodies, submitLogin, victim } from './step4-attacks.ts';

export const USER = { username: 'ada', password: 'lovelace' };
const WRONG = 'not-her-password';
/** A name that is no user, for the limit (five failures from nothing). */
const NO_USER = 'mallory';

/** Logged in as ada, by what /account shows. */
export const showsUser = (page: Page) => page.status === 200 && new RegExp(`\\b${USER.username}\\b`).test(pageText(page.body));

/**
 * `times` failed logins for `name`, sent at once (as a guessing script
 * would): none of them is past the limit, whatever order the app takes them
 * in, and the wait is one password check, not five.
 */
function failTimes(ctx: VerifyContext, app: RunningApp, name: string, times: number): Promise<Page[]> {
  return Promise.all(Array.from({ length: times }, () => logIn(ctx, ctx.visitor(), app, name, WRONG)));
}

/** A POST /login of the form, as a browser sends it from /login. */
function logIn(ctx: VerifyContext, visitor: Visitor, app: RunningApp, username: string, password: string): Promise<Page> {
  return submitLogin(ctx, visitor, app, { username, password });
}

/** The session cookie's name, as step 3's probe finds it (a signed cookie naming a key in Redis). */
export async function sessionCookieName(ctx: VerifyContext): Promise<string> {
  return (await sessionCookie(ctx).catch(() => ({}) as { cookie?: SetCookie })).cookie?.name ?? 'connect.sid';
}

/** A session as a visitor holds it: the cookie's name, the session id in it, and its key in Redis. */
export interface HeldSession {
  cookieName: string;
  id: string;
  key: string;
}

/** The session in a visitor's jar: a signed cookie whose id names a key of the run's Redis (the name is the learner's choice), or the one named `name`. */
export async function sessionOf(ctx: VerifyContext, visitor: Visitor, app: RunningApp, name?: string): Promise<HeldSession | undefined> {
  const keys = (await ctx.redis?.keys()) ?? [];
  for (const c of await visitor.cookies(app.base)) {
    if (name && c.name !== name) continue;
    const value = decodeURIComponent(c.value);
    const id = isSigned(value) ? unsignedValue(value) : undefined;
    const key = id && keys.find((k) => k.endsWith(id));
    if (id && key) return { cookieName: c.name, id, key };
  }
  return undefined;
}

/** Logins of ada that a later step's checks make, per run (see beforeAdaLogin). */
const laterLogins = new WeakMap<VerifyContext, Promise<unknown>[]>();

/**
 * For a later step whose checks log ada in (step 5: devices of hers): her
 * login here waits for `logins` too, as it waits for the victim's, so they
 * come before it, never among the failures counted on purpose after it, nor
 * during the lockout that follows. Called from that step's `prepare` (her
 * login reads the list once the app is up); `logins` must not wait for it.
 * Without a later step, nothing changes.
 */
export function beforeAdaLogin(ctx: VerifyContext, logins: Promise<unknown>): void {
  laterLogins.set(ctx, [...(laterLogins.get(ctx) ?? []), logins]);
}

export interface LoginObservation {
  visitor: Visitor;
  /** The session cookie's name. */
  cookieName: string;
  /** GET / before logging in: the count to beat. */
  before: Page;
  idBefore?: string;
  keyBefore?: string;
  answer: Page;
  idAfter?: string;
  keyAfter?: string;
  /** Is the key of the session before logging in still in Redis? */
  oldKeyRemains: boolean;
  /** The new session's record. */
  record?: string;
  /** GET / once logged in. */
  after: Page;
}

/** ada visits /, then logs in with the form. */
export function login(ctx: VerifyContext): Promise<LoginObservation> {
  return ctx.once('step4:login', async () => {
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    const before = await ctx.visit(visitor, app, '/');
    // After a failure (see clearing), and after every other request that
    // names her (step4-attacks.ts): the attacker's, counted or taken for a
    // login of hers, and the victim's login, a success that clears the count.
    // Before this success, they are forgotten by it; after it, they would mix
    // with the failures counted on purpose (a late victim let the lockout through).
    await Promise.all([adaWrong(ctx), loginCsrf(ctx), adaBodies(ctx), victim(ctx), ...(laterLogins.get(ctx) ?? [])].map((p) => p.catch(() => {})));
    const held = await sessionOf(ctx, visitor, app);
    const cookieName = held?.cookieName ?? (await sessionCookieName(ctx));
    const answer = await logIn(ctx, visitor, app, USER.username, USER.password);
    const now = await sessionOf(ctx, visitor, app, cookieName);
    const oldKeyRemains = held !== undefined && (await ctx.redis?.keys())?.includes(held.key) === true;
    const record = now ? await ctx.redis?.read(now.key) : undefined;
    const after = await ctx.visit(visitor, app, '/');
    return { visitor, cookieName, before, idBefore: held?.id, keyBefore: held?.key, answer, idAfter: now?.id, keyAfter: now?.key, oldKeyRemains, record, after };
  });
}

export interface PagesSeen {
  /** As ada, logged in. */
  loggedIn: Page;
  /** As a new visitor. */
  anonymous: Page;
}

/** GET /account as ada (logged in) and as a new visitor. */
export function account(ctx: VerifyContext): Promise<PagesSeen> {
  return ctx.once('step4:account', async () => {
    const { visitor } = await login(ctx);
    const app = await ctx.main();
    const loggedIn = await ctx.visit(visitor, app, '/account');
    const anonymous = await ctx.visit(ctx.visitor(), app, '/account');
    return { loggedIn, anonymous };
  });
}

/** GET / as a new visitor (ada's logged-in page is the login's `after`). */
export function anonymousHome(ctx: VerifyContext): Promise<Page> {
  return ctx.once('step4:anonymous-home', async () => ctx.visit(ctx.visitor(), await ready(ctx), '/'));
}

export interface LogoutObservation {
  answer: Page;
  /** Is the logged-in session's key still in Redis after the logout? */
  keyRemains: boolean;
  keyBefore?: string;
  /** GET /account with the session cookie from before the logout, sent again by hand. */
  oldCookieAccount: Page;
  cookieName: string;
}

/** ada logs out (after the pages that need her logged in). */
export function logout(ctx: VerifyContext): Promise<LogoutObservation> {
  return ctx.once('step4:logout', async () => {
    const { visitor, keyAfter, cookieName } = await login(ctx);
    await account(ctx).catch(() => {});
    const app = await ctx.main();
    const oldCookies = cookieHeader(await visitor.cookies(app.base));
    const answer = await ctx.submit(visitor, app, { page: '/', action: '/logout', fields: {} });
    const keyRemains = keyAfter !== undefined && (await ctx.redis?.keys())?.includes(keyAfter) === true;
    const oldCookieAccount = await ctx.visit({ cookie: oldCookies }, app, '/account');
    return { answer, keyRemains, keyBefore: keyAfter, oldCookieAccount, cookieName };
  });
}

export interface WrongLogins {
  /** ada with a wrong password. */
  wrongPassword: Page;
  /** GET /account by the same visitor afterwards. */
  accountAfter: Page;
  /** The first failure of mallory, who is no user. */
  noUser: Page;
  noUserName: string;
}

/** One wrong password for ada, sent as curl sends it (no Origin), and /account for the same visitor afterwards. */
export function adaWrong(ctx: VerifyContext): Promise<Pick<WrongLogins, 'wrongPassword' | 'accountAfter'>> {
  return ctx.once('step4:ada-wrong', async () => {
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    const wrongPassword = await submitLogin(ctx, visitor, app, { username: USER.username, password: WRONG }, { browser: false });
    return { wrongPassword, accountAfter: await ctx.visit(visitor, app, '/account') };
  });
}

/** ada's wrong password, and (from mallory's chain) a login as a name that is no user. */
export async function wrongLogins(ctx: VerifyContext): Promise<WrongLogins> {
  const [ada, limited] = await Promise.all([adaWrong(ctx), limit(ctx)]);
  return { ...ada, noUser: limited.failures[0]!, noUserName: NO_USER };
}

export interface ClearObservation {
  /** ada's login, after one failure. */
  success: number;
  /** Five failures after it, one after the other. */
  failuresAfter: number[];
}

/** Does a success clear ada's failures? One failure (wrongLogins), her login, then five failures. */
export function clearing(ctx: VerifyContext): Promise<ClearObservation> {
  return ctx.once('step4:clear', async () => {
    const { answer } = await login(ctx);
    const app = await ctx.main();
    // Four at once, then the fifth: an app that reads the count before adding
    // to it sees the four's count by then, so without a clear it refuses the
    // fifth (1 + 4 failures since the last one it forgot); with one, it is the fifth failure, 401.
    const four = await failTimes(ctx, app, USER.username, 4);
    const fifth = await logIn(ctx, ctx.visitor(), app, USER.username, WRONG);
    return { success: answer.status, failuresAfter: [...four, fifth].map((p) => p.status) };
  });
}

/** ada's right password after five failures since her last success: refused while locked out? */
export function lockout(ctx: VerifyContext): Promise<Page> {
  return ctx.once('step4:lockout', async () => {
    await clearing(ctx).catch(() => {});
    return logIn(ctx, ctx.visitor(), await ctx.main(), USER.username, USER.password);
  });
}

export interface LimitObservation {
  /** Attempts 1 to 5. */
  failures: Page[];
  /** Attempt 6. */
  sixth: Page;
  /** Attempt 7, on the second instance. */
  seventh: Page;
  /** After the sixth: the keys whose name holds the name tried, and their TTL (-1: no expiry). */
  countKeys: { key: string; ttl: number | undefined }[];
  /**
   * When the sixth said to retry within 3 s: an attempt made once that time
   * is up (a window that really ends there lets it through; a count that
   * never expires does not).
   */
  afterRetry?: { waitedMs: number; page: Page };
}

/** mallory (no user): five failures at once, a sixth on the main instance, a seventh on the second. */
export function limit(ctx: VerifyContext): Promise<LimitObservation> {
  return ctx.once('step4:limit', async () => {
    const app = await ready(ctx);
    // After the second instance is up: its start is the slowest part of the
    // run, and five password checks at once would slow it down.
    await ctx.second().catch(() => {});
    const failures = await failTimes(ctx, app, NO_USER, 5);
    const sixth = await logIn(ctx, ctx.visitor(), app, NO_USER, WRONG);
    const countKeys = await Promise.all(
      ((await ctx.redis?.keys()) ?? []).filter((k) => k.toLowerCase().includes(NO_USER)).map(async (key) => ({ key, ttl: await ctx.redis?.ttl(key) })),
    );
    const seventh = await logIn(ctx, ctx.visitor(), await ctx.second(), NO_USER, WRONG);
    // A short Retry-After is taken at its word: wait it out, and try again.
    const seconds = retryAfterSeconds(sixth.headers['retry-after']);
    if (sixth.status !== 429 || seconds === undefined || seconds > 3) return { failures, sixth, seventh, countKeys };
    const waitedMs = Math.max(0, seconds) * 1000 + 500;
    await new Promise((resolve) => setTimeout(resolve, waitedMs));
    return { failures, sixth, seventh, countKeys, afterRetry: { waitedMs, page: await logIn(ctx, ctx.visitor(), app, NO_USER, WRONG) } };
  });
}

/** Starts both chains (see the top of this file), and step4-attacks.ts's observations. */
export function startChains(ctx: VerifyContext): void {
  void lockout(ctx).catch(() => {});
  void logout(ctx).catch(() => {});
  void limit(ctx).catch(() => {});
  void anonymousHome(ctx).catch(() => {});
  void crossSiteLogin(ctx).catch(() => {});
  void badBodies(ctx).catch(() => {});
  void refusedBodies(ctx).catch(() => {});
  void longName(ctx).catch(() => {});
  void behindProxy(ctx).catch(() => {});
}

/** Retry-After as seconds from now: a number of seconds, or an HTTP date. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.round((at - now) / 1000);
}

/** The last Set-Cookie for `name` in an answer, if any. */
export function lastSetCookie(page: Page, name: string): SetCookie | undefined {
  return latestByName(page.setCookies).find((c) => c.name === name);
}
