// Step 4 as an attacker tries it: forms posted from another site's page
// (with a logged-in visitor and without), login bodies a browser never
// sends, a name too long to count, and a request through an HTTPS proxy.
// Each observation is made once per run, as step4-probes.ts's are.
//
// Ordering: after ada's login, her failures are counted on purpose
// (step4-probes.ts), so nothing here may log her in (a success clears them)
// or count an attempt of hers after it. The only requests that carry her
// name, the login CSRF and two bad bodies, are sent before her login, which
// waits for them; every other request posts a name of its own.
import { actionIs, CannotCheck, cookieHeader, fail, formsOf, type FormFields, type Page, type Request, type RunningApp, type VerifyContext, type Visitor } from 'workshop-runner';
import { ready } from './probes.ts';
import { sessionCookieName, sessionOf, showsUser, USER } from './step4-probes.ts';

const ELSEWHERE = 'https://attacker.example';

/** Which header of a cross-site request an app must be checking to refuse it. */
type Checks = 'both' | 'origin' | 'fetch-site';

export interface CrossSite {
  label: string;
  headers: Record<string, string>;
  /** 'both': a browser sends these together, so every app must refuse it; otherwise the one header it carries. */
  checks: Checks;
}

/**
 * A browser sends Origin and Sec-Fetch-Site together (Origin: null from a
 * sandboxed page); one that predates Sec-Fetch-Site sends Origin alone. An
 * app may check either header: the pairs must be refused, and each lone
 * header by an app that checks it.
 */
export const CROSS_SITE: readonly CrossSite[] = [
  { label: `Origin: ${ELSEWHERE} and Sec-Fetch-Site: cross-site (a form on another site)`, headers: { origin: ELSEWHERE, 'sec-fetch-site': 'cross-site' }, checks: 'both' },
  { label: 'Origin: null and Sec-Fetch-Site: cross-site (a sandboxed page)', headers: { origin: 'null', 'sec-fetch-site': 'cross-site' }, checks: 'both' },
  { label: 'Sec-Fetch-Site: cross-site alone', headers: { 'sec-fetch-site': 'cross-site' }, checks: 'fetch-site' },
  { label: `Origin: ${ELSEWHERE} alone (a browser without Sec-Fetch-Site)`, headers: { origin: ELSEWHERE }, checks: 'origin' },
];

/** A visitor held by its Cookie header, and its session's key in Redis. */
interface Held {
  who: string;
  cookie: string;
  key?: string;
}

export interface CrossSiteAttempt {
  variant: CrossSite;
  who: string;
  /** What was posted, for the message: "ada's name and password". */
  posted: string;
  page: Page;
  /** What changed in Redis that this request is to blame for. */
  changed: string[];
}

export interface CrossSiteObservation {
  attempts: CrossSiteAttempt[];
  /** After every attempt: whether each visitor is logged in, and whether it should be. */
  after: { who: string; loggedIn: boolean; expected: boolean }[];
}

// Values compared before and after a request, without what may change by
// itself: expiry dates and last-seen times (ISO 8601 dates, epoch seconds or
// milliseconds).
const times = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|(?<![\d.])\d{10}(?:\d{3})?(?:\.\d+)?(?![\d.])/g;
export const withoutTimes = (value: string) => value.replace(times, '<time>');

async function recordOf(ctx: VerifyContext, key: string | undefined): Promise<string | undefined> {
  if (!key || !ctx.redis) return undefined;
  const value = await ctx.redis.read(key);
  return value === undefined ? undefined : withoutTimes(value);
}

/** `visitor` as its Cookie header, and its session's key. */
async function hold(ctx: VerifyContext, visitor: Visitor, app: RunningApp, who: string): Promise<Held> {
  return { who, cookie: cookieHeader(await visitor.cookies(app.base)), key: (await sessionOf(ctx, visitor, app))?.key };
}

/** A new visitor with a session (one GET /). */
async function anonymous(ctx: VerifyContext, app: RunningApp, who: string): Promise<Held> {
  const visitor = ctx.visitor();
  await ctx.visit(visitor, app, '/');
  return hold(ctx, visitor, app, who);
}

/** The right name and password, submitted as a browser does from /login. */
export function submitLogin(ctx: VerifyContext, visitor: Parameters<VerifyContext['submit']>[0], app: RunningApp, fields: FormFields, request: Pick<Request, 'browser' | 'headers'> = {}) {
  return ctx.submit(visitor, app, { page: '/login', action: '/login', fields, ...request });
}

/**
 * ada, logged in by a visitor of her own: the victim of the cross-site posts.
 * A success clears her failures, so it comes before her own login
 * (step4-probes.ts `login` waits for it), never among the failures counted
 * on purpose after that one.
 */
export function victim(ctx: VerifyContext): Promise<Held> {
  return ctx.once('step4:victim', async () => {
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    await ctx.visit(visitor, app, '/');
    const answer = await submitLogin(ctx, visitor, app, USER);
    if (answer.status !== 302 && answer.status !== 303) throw new CannotCheck(`${USER.username}'s own login answered ${answer.status}, so there was nobody logged in to attack.`);
    return hold(ctx, visitor, app, `${USER.username}, logged in`);
  });
}

async function loggedIn(ctx: VerifyContext, app: RunningApp, held: Held): Promise<boolean> {
  return showsUser(await ctx.visit({ cookie: held.cookie }, app, '/account'));
}

/** What one cross-site request posts: its form, said in words, and a name no other request sends (to find it in Redis afterwards). */
interface Posted {
  fields?: FormFields;
  posted: string;
  name?: string;
}

/** One cross-site POST by `held`, and what it changed in the visitor's record (`was`: the record before, read by the caller). */
async function postCrossSite(ctx: VerifyContext, app: RunningApp, path: string, held: Held, variant: CrossSite, { fields, posted }: Posted, was: string | undefined) {
  const page = await ctx.send({ cookie: held.cookie }, app, { path, method: 'POST', form: fields, browser: false, headers: variant.headers });
  const now = await recordOf(ctx, held.key);
  const changed: string[] = [];
  if (was !== undefined && now === undefined) changed.push(`${held.key} was deleted`);
  else if (was !== undefined && now !== was) changed.push(`${held.key} changed from ${was.slice(0, 100)} to ${now?.slice(0, 100)}`);
  return { attempt: { variant, who: held.who, posted, page, changed } satisfies CrossSiteAttempt, now };
}

/**
 * Each cross-site variant of `path`, posted for each visitor with its
 * cookies and none of its form's hidden fields (another site cannot read
 * them), the visitors side by side (each has a record of its own), the
 * variants one after the other (each is to blame for what changed in the
 * visitor's record). A name posted is looked for in Redis once all are
 * sent: each is posted once, so a key holding it names its request.
 * `visitors` says whether each was logged in before: the posts must not
 * change that.
 */
async function attack(ctx: VerifyContext, app: RunningApp, path: string, visitors: { held: Held; loggedIn: boolean }[], post: () => Posted = () => ({ posted: 'no form' })): Promise<CrossSiteObservation> {
  const named: { attempt: CrossSiteAttempt; name: string }[] = [];
  const batches = await Promise.all(
    visitors.map(async ({ held }) => {
      const attempts: CrossSiteAttempt[] = [];
      let was = await recordOf(ctx, held.key);
      for (const variant of CROSS_SITE) {
        const posted = post();
        const { attempt, now } = await postCrossSite(ctx, app, path, held, variant, posted, was);
        attempts.push(attempt);
        if (posted.name) named.push({ attempt, name: posted.name });
        was = now;
      }
      return attempts;
    }),
  );
  if (named.length && ctx.redis) {
    const holding = await ctx.redis.holding(...named.map((n) => n.name));
    named.forEach(({ attempt, name }, i) => holding[i]!.forEach((key) => attempt.changed.push(`${key} holds the name posted, ${name}`)));
  }
  const after = await Promise.all(visitors.map(async ({ held, loggedIn: was }) => ({ who: held.who, loggedIn: await loggedIn(ctx, app, held), expected: was })));
  return { attempts: batches.flat(), after };
}

/** The visitor of the cross-site posts who is not logged in (a session of its own), made once. */
function stranger(ctx: VerifyContext): Promise<{ app: RunningApp; held: Held }> {
  return ctx.once('step4:stranger', async () => {
    const app = await ready(ctx); // after step 3's first probes, which count keys
    return { app, held: await anonymous(ctx, app, 'a visitor who is not logged in') };
  });
}

/**
 * Login CSRF: what a browser sends from another site's form with ada's name
 * and password, by the visitor who is not logged in. The only cross-site
 * post that names her, and made before her own login (step4-probes.ts
 * `login` waits for it): an app that counts a refused attempt then counts
 * it before her success clears her failures, not among those counted on
 * purpose after it.
 */
export function loginCsrf(ctx: VerifyContext): Promise<CrossSiteAttempt> {
  return ctx.once('step4:login-csrf', async () => {
    const { app, held } = await stranger(ctx);
    const posted = { fields: USER, posted: `${USER.username}'s name and password` };
    return (await postCrossSite(ctx, app, '/login', held, CROSS_SITE[0]!, posted, await recordOf(ctx, held.key))).attempt;
  });
}

/** Cross-site POST /logout, by ada logged in and by a visitor who is not. */
export function crossSiteLogout(ctx: VerifyContext): Promise<CrossSiteObservation> {
  return ctx.once('step4:cross-site-logout', async () => {
    const [{ app, held: other }, held] = await Promise.all([stranger(ctx), victim(ctx), loginCsrf(ctx).catch(() => {})]);
    if (!(await loggedIn(ctx, app, held))) throw new CannotCheck(`After ${USER.username}'s own login, GET /account did not show her, so there was nobody logged in to attack.`);
    return attack(ctx, app, '/logout', [
      { held, loggedIn: true },
      { held: other, loggedIn: false },
    ]);
  });
}

/**
 * Cross-site POST /login, by the same two visitors, after the logout posts
 * (so that those find ada as she logged in): each variant posts a name of
 * its own, looked for in Redis afterwards (a refused attempt that was
 * counted all the same); with the login CSRF above, which posts hers.
 */
export function crossSiteLogin(ctx: VerifyContext): Promise<CrossSiteObservation> {
  return ctx.once('step4:cross-site-login', async () => {
    const [{ app, held: other }, held, csrf] = await Promise.all([stranger(ctx), victim(ctx), loginCsrf(ctx)]);
    // Where the logout posts left each visitor (they may have logged ada out: that is their check's to say).
    const [heldIn, otherIn] = await crossSiteLogout(ctx).then(
      ({ after }) => after.map((v) => v.loggedIn),
      async () => Promise.all([loggedIn(ctx, app, held), loggedIn(ctx, app, other)]),
    );
    const batch = await attack(
      ctx,
      app,
      '/login',
      [
        { held, loggedIn: heldIn! },
        { held: other, loggedIn: otherIn! },
      ],
      () => {
        const name = `eve${Math.random().toString(36).slice(2, 10)}`;
        return { fields: { username: name, password: 'not-a-password' }, posted: `the name ${name}`, name };
      },
    );
    return { attempts: [csrf, ...batch.attempts], after: batch.after };
  });
}

/** A verdict on cross-site posts to `route`: passes with a message, or fails naming the first request that got through. */
export function judgeCrossSite(route: string, { attempts, after }: CrossSiteObservation): string {
  const refused = (a: CrossSiteAttempt) => a.page.status === 403;
  const lets = (checks: Checks) => attempts.some((a) => a.variant.checks === checks && !refused(a));
  // An app that lets one lone header through does not check it, so it must check the other.
  const mustRefuse = (a: CrossSiteAttempt) =>
    a.variant.checks === 'both' || (a.variant.checks === 'origin' && lets('fetch-site')) || (a.variant.checks === 'fetch-site' && lets('origin'));
  const where = (a: CrossSiteAttempt) => `A POST ${route} with ${a.variant.label}, by ${a.who}${a.posted === 'no form' ? '' : `, with ${a.posted}`},`;
  const hint =
    'Refuse it before anything reads the form, the cookies or the session: a middleware right after `express.static` that answers 403 when `Sec-Fetch-Site` is `cross-site` (or `same-site`) or `Origin` is there and is not the app\'s own (`null` included).';
  for (const a of attempts) {
    if (mustRefuse(a) && !refused(a)) {
      const alone = a.variant.checks !== 'both' ? ' The app lets the other header through alone as well, so it checks neither by itself.' : '';
      fail(`${where(a)} answered ${a.page.status}, expected 403.${alone}`, hint);
    }
    if (!refused(a)) continue;
    if (a.page.setCookies.length) fail(`${where(a)} answered 403 but set a cookie: ${a.page.setCookies[0]!.raw.slice(0, 120)}`, `Refuse it before \`cookieParser\` and \`session()\`: ${hint}`);
    if (a.changed.length) fail(`${where(a)} answered 403 but changed Redis: ${a.changed.join('; ')}.`, `Refuse it before the route and the session do anything: ${hint}`);
  }
  if (attempts.every(refused)) {
    for (const v of after) {
      if (v.loggedIn !== v.expected) fail(`After the cross-site POSTs to ${route}, ${v.who} ${v.loggedIn ? 'is logged in' : 'is no longer logged in'}.`, hint);
    }
  }
  const n = attempts.filter(refused).length;
  return `${n} of ${attempts.length} cross-site POST ${route} answered 403 and changed nothing${n < attempts.length ? ' (the app checks the other header)' : ''}.`;
}

export interface BadBodyAttempt {
  label: string;
  page: Page;
}

export interface BadBodyObservation {
  attempts: BadBodyAttempt[];
  /** Whether the login form carries hidden fields (a CSRF token): 403 is then an answer too. */
  tokenForm: boolean;
  /** Whether the visitor who sent them all is logged in afterwards. */
  loggedIn: boolean;
  /** Keys that look like a count for no name (`…:undefined`, `…:`) after them. */
  nameless: string[];
}

// The keys a count for no name makes: `login:failures:undefined`, `…:null`, `…:` or `…::count`.
const namelessKey = /(?:^|[^a-z0-9])(?:undefined|null|nan|\[object object\])(?:$|[^a-z0-9])|:$|::/i;

interface AdaBodies {
  app: RunningApp;
  visitor: Visitor;
  tokenForm: boolean;
  attempts: BadBodyAttempt[];
}

/**
 * The bad bodies that carry ada's name and right password (a broken app may
 * take either for her login), sent before her own login as the login CSRF is
 * (step4-probes.ts `login` waits for them); by the visitor who sends the
 * others afterwards.
 */
export function adaBodies(ctx: VerifyContext): Promise<AdaBodies> {
  return ctx.once('step4:ada-bodies', async () => {
    const app = await ready(ctx);
    const visitor = ctx.visitor();
    const form = await ctx.visit(visitor, app, '/login');
    const tokenForm = formsOf(form.body).some((f) => f.method === 'POST' && actionIs(f, '/login', '/login') && Object.keys(f.hidden).length > 0);
    const json = await ctx.send(visitor, app, { path: '/login', json: USER });
    const twice = await submitLogin(ctx, visitor, app, { username: [USER.username, USER.username], password: USER.password });
    return {
      app,
      visitor,
      tokenForm,
      attempts: [
        { label: `a JSON body with ${USER.username}'s name and password`, page: json },
        { label: `username given twice (username=${USER.username}&username=${USER.username}) with the right password`, page: twice },
      ],
    };
  });
}

/** POST /login with bodies no login form sends, by one visitor. */
export function badBodies(ctx: VerifyContext): Promise<BadBodyObservation> {
  return ctx.once('step4:bad-bodies', async () => {
    const { app, visitor, tokenForm, attempts: first } = await adaBodies(ctx);
    const attempts: BadBodyAttempt[] = [...first];
    const tried = async (label: string, page: Promise<Page>) => void attempts.push({ label, page: await page });
    // Names of their own: an app may count these (they have a name), and must not lock ada out.
    const someone = () => `bob${Math.random().toString(36).slice(2, 10)}`;
    await tried('no body (curl -X POST)', ctx.send(visitor, app, { path: '/login', method: 'POST', browser: false }));
    await tried('no password field', submitLogin(ctx, visitor, app, { username: someone() }));
    await tried('no username field', submitLogin(ctx, visitor, app, { password: USER.password }));
    await tried('password given twice', submitLogin(ctx, visitor, app, { username: someone(), password: ['a-password', 'a-password'] }));
    const loggedIn = showsUser(await ctx.visit(visitor, app, '/account'));
    const nameless = ((await ctx.redis?.keys()) ?? []).filter((k) => namelessKey.test(k));
    return { attempts, tokenForm, loggedIn, nameless };
  });
}

/** Bodies the parser must refuse: a charset it does not know, and one over 100 kB. */
export function refusedBodies(ctx: VerifyContext): Promise<BadBodyAttempt[]> {
  return ctx.once('step4:refused-bodies', async () => {
    const app = await ready(ctx);
    const form = 'application/x-www-form-urlencoded';
    const charset = await ctx.send(ctx.visitor(), app, { path: '/login', raw: { contentType: `${form}; charset=utf-9`, data: 'username=ada&password=x' } });
    const large = await ctx.send(ctx.visitor(), app, { path: '/login', raw: { contentType: form, data: `username=${'a'.repeat(110_000)}&password=x` } });
    return [
      { label: 'an unknown charset (charset=utf-9)', page: charset },
      { label: 'a body of 110 kB', page: large },
    ];
  });
}

export interface LongNameObservation {
  name: string;
  page: Page;
  /** Keys whose name or value holds the long name. */
  holding: string[];
}

/** A login with a 101-character name (a wrong password): refused before it is counted? */
export function longName(ctx: VerifyContext): Promise<LongNameObservation> {
  return ctx.once('step4:long-name', async () => {
    const app = await ready(ctx);
    let name = 'n';
    while (name.length < 101) name += Math.random().toString(36).slice(2);
    name = name.slice(0, 101);
    const page = await submitLogin(ctx, ctx.visitor(), app, { username: name, password: 'not-a-password' });
    return { name, page, holding: (await ctx.redis?.holding(name))?.[0] ?? [] };
  });
}

/** A new visitor's GET / through an HTTPS proxy on loopback (X-Forwarded-Proto: https): the session cookie it gets. */
export function behindProxy(ctx: VerifyContext): Promise<{ page: Page; cookieName: string }> {
  return ctx.once('step4:behind-proxy', async () => {
    const app = await ready(ctx);
    const page = await ctx.send(ctx.visitor(), app, { path: '/', headers: { 'x-forwarded-proto': 'https' } });
    return { page, cookieName: await sessionCookieName(ctx) };
  });
}

