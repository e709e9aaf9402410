// Step 4's observations, each made once per run. A lockout lasts 15 minutes
// in Redis and outlives a restart, so the chains below fail logins with
// names of their own, in an order that keeps them apart:
//
// - ada's chain (main instance): log in, look at /account and /, log out;
//   then four failures (one of them judged by wrong-password), a success
//   and two more failures (does a success clear the count?), then three
//   more to lock ada out (five since the success), and her right password
//   (still refused?).
// - mallory (no user): five failures and a sixth attempt (the limit).
// - grace (no user): five failures on the main instance, the sixth on the
//   second instance (is the count shared?).
// - zelda (no user): one failure, to compare its page with ada's.
//
// The three chains start together, once the app is up and step 3's first
// probes are done (they count Redis keys, which logins would disturb).
import type { VerifyContext } from './context.ts';
import type { SetCookie } from './cookies.ts';
import { isSigned, latestByName, unsignedValue } from './cookies.ts';
import type { RunningApp } from './harness.ts';
import type { Page, Visitor } from './http.ts';
import { ready, sessionCookie } from './probes.ts';

export const USER = { username: 'ada', password: 'lovelace' };
const WRONG = 'not-her-password';

/**
 * `times` failed logins for `name`, sent at once (as a guessing script
 * would): none of them is past the limit, whatever order the app takes them
 * in, and the wait is one password check, not five.
 */
function failTimes(ctx: VerifyContext, app: RunningApp, name: string, times: number): Promise<Page[]> {
  return Promise.all(Array.from({ length: times }, () => logIn(ctx, ctx.visitor(), app, name, WRONG)));
}

/** A POST /login of the form, as a browser sends it. */
export function logIn(ctx: VerifyContext, visitor: Visitor, app: RunningApp, username: string, password: string): Promise<Page> {
  return ctx.send(visitor, app, { path: '/login', form: { username, password } });
}

/** The session cookie's name: step 3's probe finds it (a signed cookie naming a key in Redis). */
export async function sessionCookieName(ctx: VerifyContext): Promise<string> {
  return (await sessionCookie(ctx).catch(() => ({}) as { cookie?: SetCookie })).cookie?.name ?? 'connect.sid';
}

/** The session id in a visitor's jar (unsigned), or undefined. */
async function sessionId(ctx: VerifyContext, visitor: Visitor, app: RunningApp): Promise<string | undefined> {
  const name = await sessionCookieName(ctx);
  const value = (await visitor.cookies(app.base)).find((c) => c.name === name)?.value;
  const decoded = value === undefined ? undefined : decodeURIComponent(value);
  return decoded && isSigned(decoded) ? unsignedValue(decoded) : undefined;
}

/** The Redis key of a session id: the key that ends with it. */
async function keyOf(ctx: VerifyContext, id: string | undefined): Promise<string | undefined> {
  if (!id || !ctx.redis) return undefined;
  return (await ctx.redis.keys()).find((k) => k.endsWith(id));
}

export interface LoginObservation {
  visitor: Visitor;
  /** The second GET / before logging in: the count to beat. */
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

/** ada visits / twice, then logs in with the form. */
export function login(ctx: VerifyContext): Promise<LoginObservation> {
  return ctx.once('step4:login', async () => {
    const app = await ready(ctx);
    await sessionCookieName(ctx); // step 3's visits are done: our keys are ours
    const visitor = ctx.visitor();
    await ctx.visit(visitor, app, '/');
    const before = await ctx.visit(visitor, app, '/');
    const idBefore = await sessionId(ctx, visitor, app);
    const keyBefore = await keyOf(ctx, idBefore);
    const answer = await logIn(ctx, visitor, app, USER.username, USER.password);
    const idAfter = await sessionId(ctx, visitor, app);
    const keyAfter = await keyOf(ctx, idAfter);
    const oldKeyRemains = keyBefore !== undefined && (await ctx.redis?.keys())?.includes(keyBefore) === true;
    const record = keyAfter ? await ctx.redis?.read(keyAfter) : undefined;
    const after = await ctx.visit(visitor, app, '/');
    return { visitor, before, idBefore, keyBefore, answer, idAfter, keyAfter, oldKeyRemains, record, after };
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
    const { visitor, keyAfter } = await login(ctx);
    await account(ctx).catch(() => {});
    const app = await ctx.main();
    const cookieName = await sessionCookieName(ctx);
    const oldCookies = (await visitor.cookies(app.base)).map((c) => `${c.name}=${c.value}`).join('; ');
    const answer = await ctx.send(visitor, app, { path: '/logout', method: 'POST' });
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
  /** zelda, who is no user. */
  noUser: Page;
  noUserName: string;
}

/** One wrong password for ada, and one login as a name that is no user. */
export function wrongLogins(ctx: VerifyContext): Promise<WrongLogins> {
  return ctx.once('step4:wrong', async () => {
    await logout(ctx).catch(() => {});
    const app = await ctx.main();
    const visitor = ctx.visitor();
    const noUserName = 'zelda';
    const [wrongPassword, noUser] = await Promise.all([logIn(ctx, visitor, app, USER.username, WRONG), logIn(ctx, ctx.visitor(), app, noUserName, WRONG)]);
    const accountAfter = await ctx.visit(visitor, app, '/account');
    return { wrongPassword, accountAfter, noUser, noUserName };
  });
}

export interface ClearObservation {
  /** Statuses of: 3 failures, the right password, 2 failures (ada had 1 failure before). */
  failuresBefore: number[];
  success: number;
  failuresAfter: number[];
}

/** Does a success clear ada's failures? 4 failures, a success, then 2 more. */
export function clearing(ctx: VerifyContext): Promise<ClearObservation> {
  return ctx.once('step4:clear', async () => {
    await logout(ctx).catch(() => {});
    const app = await ctx.main();
    // With the wrong password of wrongLogins: four failures, under the limit.
    const [, before] = await Promise.all([wrongLogins(ctx), failTimes(ctx, app, USER.username, 3)]);
    const failuresBefore = before.map((p) => p.status);
    const success = (await logIn(ctx, ctx.visitor(), app, USER.username, USER.password)).status;
    // One after the other: sent at once, both could read the count before either adds to it.
    const failuresAfter: number[] = [];
    for (let i = 0; i < 2; i++) failuresAfter.push((await logIn(ctx, ctx.visitor(), app, USER.username, WRONG)).status);
    return { failuresBefore, success, failuresAfter };
  });
}

/** Three more failures for ada (five since the success), then her right password: refused while locked out? */
export function lockout(ctx: VerifyContext): Promise<Page> {
  return ctx.once('step4:lockout', async () => {
    await clearing(ctx).catch(() => {});
    const app = await ctx.main();
    await failTimes(ctx, app, USER.username, 3);
    return logIn(ctx, ctx.visitor(), app, USER.username, USER.password);
  });
}

export interface LimitObservation {
  /** Attempts 1 to 5. */
  failures: Page[];
  /** Attempt 6. */
  sixth: Page;
}

/** mallory (no user): six failed logins on the main instance. */
export function limit(ctx: VerifyContext): Promise<LimitObservation> {
  return ctx.once('step4:limit', async () => {
    const app = await ready(ctx);
    await sessionCookieName(ctx);
    const failures = await failTimes(ctx, app, 'mallory', 5);
    return { failures, sixth: await logIn(ctx, ctx.visitor(), app, 'mallory', WRONG) };
  });
}

/** grace (no user): five failures on the main instance, the sixth on the second. */
export function sharedLimit(ctx: VerifyContext): Promise<LimitObservation> {
  return ctx.once('step4:shared', async () => {
    const app = await ready(ctx);
    await sessionCookieName(ctx);
    const failures = await failTimes(ctx, app, 'grace', 5);
    const second = await ctx.second();
    return { failures, sixth: await logIn(ctx, ctx.visitor(), second, 'grace', WRONG) };
  });
}

/** Starts the three chains (see the top of this file). */
export function startChains(ctx: VerifyContext): void {
  void lockout(ctx).catch(() => {});
  void limit(ctx).catch(() => {});
  void sharedLimit(ctx).catch(() => {});
  void anonymousHome(ctx).catch(() => {});
}

/** The last Set-Cookie for `name` in an answer, if any. */
export function lastSetCookie(page: Page, name: string): SetCookie | undefined {
  return latestByName(page.setCookies).find((c) => c.name === name);
}
