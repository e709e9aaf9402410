// Step 4, logging in and out: ada logs in with a form (a new session id, her
// name in the session, the count carried over, a redirect to /), sees her
// account, logs out (the session gone from Redis, the cookie expired); wrong
// logins get one 401 page for any mistake, five failures per name lock the
// name out for the window (counted in Redis: every instance sees one count),
// and a success clears them. One check per clause of docs/contract.md.
import { realpath } from 'node:fs/promises';
import { actionIs, CannotCheck, fail, formsOf, leakIn, linksOf, pageText, type Check, type Page, type StepChecks, type VerifyContext } from 'workshop-runner';
import { visitCount } from './visits.ts';
import { badBodies, behindProxy, crossSiteLogin, crossSiteLogout, judgeCrossSite, longName, refusedBodies } from './step4-attacks.ts';
import {
  account,
  anonymousHome,
  clearing,
  lastSetCookie,
  limit,
  lockout,
  login,
  logout,
  retryAfterSeconds,
  showsUser,
  startChains,
  USER,
  wrongLogins,
} from './step4-probes.ts';

const slide = (heading: string) => ({ deck: 'step4', heading });
const slides = {
  form: slide('A login form'),
  readForm: slide('Read the login form'),
  login: slide('Log in with a new session id'),
  fixation: slide('Session fixation'),
  logout: slide('Log out: destroy the session, clear the cookie'),
  account: slide('An account page for logged-in visitors only'),
  oneError: slide('One error sentence for a wrong name or password'),
  failures: slide('Count failed logins in Redis'),
  password: slide('Hash passwords with scrypt'),
  cookie: slide('SameSite and HttpOnly'),
  home: slide('Show who is logged in'),
  crossSite: slide('Refuse forms from other sites'),
  input: slide('Check what the form sent'),
  errors: slide('An error page without the stack'),
  secure: slide('Secure behind HTTPS'),
};

const isRedirect = (page: Page) => page.status === 302 || page.status === 303;
const redirectsTo = (page: Page, path: string) => isRedirect(page) && new URL(page.location ?? '', 'http://app.invalid/').pathname === path;
const answered = (page: Page) => `${page.status}${page.location ? ` to ${page.location}` : ''}`;

function judgeLockout(page: Page, who: string): string {
  if (page.status !== 429) fail(`${who} answered ${page.status}, expected 429.`, 'Answer 429 (Too Many Requests) while a name is locked out: `res.status(429)`.');
  const header = page.headers['retry-after'];
  const seconds = retryAfterSeconds(header);
  if (seconds === undefined || seconds < 0 || seconds > 15 * 60) {
    fail(
      `${who} answered 429 with ${header === undefined ? 'no Retry-After header' : `Retry-After: ${header}`}.`,
      'Say when the name may try again: `res.set(\'Retry-After\', String(secondsLeft))` (the counter key\'s TTL), at most 15 minutes.',
    );
  }
  return `429 with Retry-After: ${header}.`;
}

/** ada's login, when there was one to judge: a missing or crashing POST /login is step4.login's to report. */
async function loggedIn(ctx: VerifyContext) {
  const seen = await login(ctx);
  const { status } = seen.answer;
  // A 4xx (refused, locked out) or a 5xx logs nobody in: step4.login reports it.
  if (status >= 400) throw new CannotCheck(`POST /login answered ${status}, so nobody logged in.`);
  return seen;
}

const checks: Check<VerifyContext>[] = [
  {
    id: 'step4.login-form',
    title: 'GET /login shows a form that posts username and password to /login',
    slide: slides.form,
    needs: ['step1.listens'],
    async run(ctx) {
      const page = await ctx.visit(ctx.visitor(), await ctx.main(), '/login');
      if (page.status !== 200) throw ctx.notOk(page, 'GET /login');
      const forms = formsOf(page.body);
      const form = forms.find((f) => f.method === 'POST' && actionIs(f, '/login', '/login'));
      if (!form) {
        const seen = forms.map((f) => `method ${f.method}, action "${f.action}"`).join('; ');
        fail(
          forms.length ? `The page's forms do not post to /login (${seen}).` : 'The page has no <form>.',
          "Write `form(method='post' action='/login')` in views/login.pug.",
        );
      }
      const missing = ['username', 'password'].filter((f) => !form.fields.includes(f));
      if (missing.length) fail(`The login form has no field named ${missing.join(' or ')} (it has: ${form.fields.join(', ') || 'none'}).`, "Name the inputs `username` and `password`: `input(name='username')`.");
      return `A form posting ${form.fields.join(', ')} to /login.`;
    },
  },
  {
    id: 'step4.login',
    title: 'The right name and password answer with a redirect to /',
    slide: slides.login,
    needs: ['step1.listens'],
    async run(ctx) {
      const { answer } = await login(ctx);
      if (answer.status >= 500) throw ctx.notOk(answer, 'POST /login');
      if (answer.status === 404) fail('POST /login answered 404.', 'Add `router.post(\'/login\', …)`, and `app.use(express.urlencoded({ extended: false }))` so the form fills `req.body`.', slides.readForm);
      if (!redirectsTo(answer, '/')) {
        fail(`POST /login as ${USER.username} answered ${answered(answer)}, expected a redirect (302 or 303) to /.`, "End a successful login with `res.redirect(303, '/')`: a reload of the next page then does not post the form again.");
      }
      return `POST /login answered ${answered(answer)}.`;
    },
  },
  {
    id: 'step4.login-regenerates',
    title: 'Logging in gives the session a new id, and the old record is gone from Redis',
    slide: slides.fixation,
    needs: ['step3.redis-store'],
    async run(ctx) {
      const { idBefore, idAfter, keyBefore, keyAfter, oldKeyRemains } = await loggedIn(ctx);
      if (!idBefore || !keyBefore) fail('Before logging in, the visitor had no session in Redis to compare with.', 'Count visits in `req.session` (step 3) so a visitor has a session before logging in.');
      if (!idAfter || !keyAfter) fail('After logging in, the visitor has no session in Redis.', 'Log in on the session: `req.session.regenerate(…)`, then set `req.session.user`.');
      if (idAfter === idBefore) {
        fail(
          'The session id is the same before and after logging in: an id someone planted or saw before the login now belongs to a logged-in user (session fixation).',
          'Call `req.session.regenerate((err) => { … })` before putting the user in the session.',
        );
      }
      if (oldKeyRemains) fail(`The session id changed, but the old record (${keyBefore}) is still in Redis.`, '`req.session.regenerate()` deletes the old record; a new session made by hand does not.');
      return `The id changed at login; ${keyBefore} is gone, ${keyAfter} holds the new session.`;
    },
  },
  {
    id: 'step4.login-user',
    title: "The new session's record in Redis names the user",
    slide: slides.login,
    needs: ['step3.redis-store'],
    async run(ctx) {
      const { keyAfter, record } = await loggedIn(ctx);
      if (!keyAfter || record === undefined) fail('After logging in, the visitor has no session record in Redis.', 'Keep the user in the session: `req.session.user = { name: user.name }`.');
      let data: unknown;
      try {
        data = JSON.parse(record);
      } catch {
        data = record;
      }
      const strings = (v: unknown): string[] =>
        typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => (k === 'cookie' ? [] : strings(x))) : [];
      if (!strings(data).includes(USER.username)) {
        fail(`${keyAfter} holds ${record.slice(0, 200)}, with no "${USER.username}" in it.`, 'After `regenerate`, store who logged in: `req.session.user = { name: user.name }`.');
      }
      return `${keyAfter} names ${USER.username}.`;
    },
  },
  {
    id: 'step4.login-keeps-count',
    title: 'The visit count carries over into the new session',
    slide: slides.login,
    needs: ['step3.counter'],
    async run(ctx) {
      const { before, after } = await loggedIn(ctx);
      const [was] = visitCount(before.body).numbers;
      const [now] = visitCount(after.body).numbers;
      if (was === undefined || now === undefined || now <= was) {
        fail(
          `Before logging in the page showed ${was ?? 'no count'}; the first page after shows ${now ?? 'no count'}, expected more.`,
          '`regenerate` starts an empty session: keep the count first (`const visits = req.session.visits`) and put it back in the new one.',
        );
      }
      return `${was} before logging in, ${now} after.`;
    },
  },
  {
    id: 'step4.home',
    title: 'GET / shows the user and a logout form, or a link to /login',
    slide: slides.home,
    needs: ['step1.home-page'],
    async run(ctx) {
      const { after } = await loggedIn(ctx);
      const anonymous = await anonymousHome(ctx);
      if (!new RegExp(`\\b${USER.username}\\b`).test(pageText(after.body))) fail(`Logged in as ${USER.username}, GET / does not show the name.`, 'In views/index.pug: `if session.user` then `p Logged in as #{session.user.name}`.');
      if (!formsOf(after.body).some((f) => f.method === 'POST' && actionIs(f, '/logout', '/'))) {
        fail('Logged in, GET / has no form that posts to /logout.', "Add `form(method='post' action='/logout')` with a button: logging out changes state, so it is a POST, not a link.");
      }
      if (!linksOf(anonymous.body).some((href) => new URL(href, 'http://app.invalid/').pathname === '/login')) {
        fail('For a visitor who is not logged in, GET / has no link to /login.', "Add `a(href='/login') Log in` for everyone else.");
      }
      return `Logged in: "${USER.username}" and a logout form; otherwise a link to /login.`;
    },
  },
  {
    id: 'step4.account',
    title: '/account answers the user, and turns everyone else away',
    slide: slides.account,
    needs: ['step4.login-user'],
    async run(ctx) {
      const { loggedIn, anonymous } = await account(ctx);
      if (!showsUser(loggedIn)) fail(`Logged in as ${USER.username}, GET /account answered ${answered(loggedIn)}${loggedIn.status === 200 ? ' without the name' : ''}.`, 'Answer 200 with the user\'s name when `req.session.user` is set.');
      if (!(redirectsTo(anonymous, '/login') || anonymous.status === 401)) {
        fail(`For a visitor who is not logged in, GET /account answered ${answered(anonymous)}, expected a redirect to /login or 401.`, "Check first: `if (!req.session.user) return res.redirect(303, '/login')`.");
      }
      return `200 with the name for ${USER.username}; ${answered(anonymous)} for anyone else.`;
    },
  },
  {
    id: 'step4.wrong-password',
    title: 'A wrong password, or a name that is no user, answers 401 and logs nobody in',
    slide: slides.password,
    needs: ['step1.listens'],
    async run(ctx) {
      const { wrongPassword, accountAfter, noUser, noUserName } = await wrongLogins(ctx);
      if (wrongPassword.status === 403) {
        fail(
          `POST /login as ${USER.username} with a wrong password, sent as curl sends it (no Origin, no Sec-Fetch-Site), answered 403, expected 401.`,
          'Refuse a POST only when it says it comes from elsewhere (a foreign `Origin`, `Sec-Fetch-Site: cross-site`): a request without those headers is not from another site\'s page.',
          slides.crossSite,
        );
      }
      if (wrongPassword.status !== 401) {
        fail(`POST /login as ${USER.username} with a wrong password answered ${answered(wrongPassword)}, expected 401.`, 'Compare the password with the stored hash (`verifyPassword`) and answer `res.status(401)` when it does not match.');
      }
      if (showsUser(accountAfter)) fail(`After a wrong password, GET /account shows ${USER.username}: the visitor is logged in.`, 'Only put the user in the session when the password matched.');
      if (noUser.status !== 401) fail(`POST /login as ${noUserName}, who is no user, answered ${answered(noUser)}, expected 401.`, 'A name that is no user fails like a wrong password: 401.');
      return `401 for a wrong password, and for ${noUserName} (no user); nobody logged in.`;
    },
  },
  {
    id: 'step4.same-error',
    title: 'A wrong password and an unknown name get the same page',
    slide: slides.oneError,
    needs: ['step4.wrong-password'],
    async run(ctx) {
      const { wrongPassword, noUser, noUserName } = await wrongLogins(ctx);
      const without = (page: Page, name: string) => pageText(page.body).replace(new RegExp(`\\b${name}\\b`, 'g'), '…');
      const a = without(wrongPassword, USER.username);
      const b = without(noUser, noUserName);
      if (a !== b) {
        fail(
          `The two pages differ (the name typed taken out):\n  wrong password: ${a.slice(0, 160)}\n  no such user:   ${b.slice(0, 160)}`,
          'Say one sentence for both, e.g. "Wrong name or password.": a different one tells an attacker which names exist.',
        );
      }
      return `Both say: ${a.slice(0, 100)}`;
    },
  },
  {
    id: 'step4.rate-limit',
    title: 'After 5 failed logins for a name, the 6th answers 429 with Retry-After',
    slide: slides.failures,
    needs: ['step1.listens'],
    async run(ctx) {
      const { failures, sixth, afterRetry, countKeys } = await limit(ctx);
      const statuses = failures.map((p) => p.status);
      if (statuses.some((s) => s !== 401)) fail(`Attempts 1 to 5 for one name answered ${statuses.join(', ')}, expected 401 each.`, 'Refuse only from the sixth attempt on: attempts 1 to 5 get their password checked (401 when it is wrong).');
      if (sixth.status === 401) {
        fail('Five failed logins for one name, and the sixth still answers 401: nothing limits guessing.', 'Count attempts per name in Redis (`INCR`, with an expiry of 900 s set in the same step) and answer 429 once the count passes 5.');
      }
      const judged = judgeLockout(sixth, 'The sixth attempt');
      const forever = countKeys.find((k) => k.ttl === -1);
      if (forever) {
        fail(
          `After six failed logins for one name, ${forever.key} has no expiry (TTL -1), whatever Retry-After says: the name is locked out for good.`,
          'Write the count and its expiry in one step, a Lua script (`INCR`, then `EXPIRE` when the TTL is -1) or `MULTI` with `INCR` and `EXPIRE key 900 NX`: two separate commands can leave a count without one.',
        );
      }
      const tooLong = countKeys.find((k) => k.ttl !== undefined && k.ttl > 15 * 60);
      if (tooLong) fail(`After six failed logins for one name, ${tooLong.key} expires in ${tooLong.ttl} s, past the 15-minute window.`, 'Give the count an expiry of 900 seconds when it is made.');
      if (afterRetry?.page.status === 429) {
        fail(
          `The sixth attempt said ${sixth.headers['retry-after']}; ${(afterRetry.waitedMs / 1000).toFixed(1)} s later the name is still refused (429): the count does not expire when Retry-After says.`,
          'Give the count its expiry in the same step that counts (a Lua script, or `MULTI`), and answer Retry-After from its TTL: a count without one (TTL -1) locks the name out for good.',
        );
      }
      return `401 five times, then ${judged}`;
    },
  },
  {
    id: 'step4.limit-shared',
    title: 'The failures are counted in Redis: a second instance sees the same count',
    slide: slides.failures,
    needs: ['step4.rate-limit', 'step3.second-instance'],
    async run(ctx) {
      const { seventh } = await limit(ctx);
      if (seventh.status !== 429) {
        fail(
          `Six attempts for one name on one instance (the sixth refused); the next, on a second instance sharing the same Redis, answered ${seventh.status}, expected 429.`,
          'Keep the count in Redis, not in the process (a Map or an object): every instance, and the app after a restart, must see it.',
        );
      }
      return `Refused on one instance; ${judgeLockout(seventh, 'the next attempt, on the other,')}`;
    },
  },
  {
    id: 'step4.limit-cleared',
    title: "A successful login clears the name's failures",
    slide: slides.failures,
    needs: ['step4.rate-limit', 'step4.wrong-password', 'step4.login'],
    async run(ctx) {
      const { success, failuresAfter } = await clearing(ctx);
      const forget = 'Forget the failures when the password matches: `await redis.del(key)` before regenerating the session.';
      if (!(success === 302 || success === 303)) {
        fail(`After one failed login, ${USER.username}'s right password answered ${success}, expected a redirect.`, 'One failure is under the limit: the right password still logs in.');
      }
      if (failuresAfter.some((s) => s !== 401)) {
        fail(
          `After a failure and a successful login, five more failures answered ${failuresAfter.join(', ')}, expected 401 each: the count went on from before the success.`,
          forget,
        );
      }
      return `A failure, a success, then 5 failures: ${failuresAfter.join(', ')}.`;
    },
  },
  {
    id: 'step4.lockout-right-password',
    title: 'A locked-out name is refused even with the right password',
    slide: slides.failures,
    needs: ['step4.rate-limit', 'step4.wrong-password'],
    async run(ctx) {
      const page = await lockout(ctx);
      if (isRedirect(page)) {
        fail(`After five failures since her last login, ${USER.username}'s right password logged in (${answered(page)}), expected 429.`, 'Check the lock before the password: a locked name is refused whatever it sends, or guessing goes on.');
      }
      return `The right password after five failures: ${judgeLockout(page, 'it')}`;
    },
  },
  {
    id: 'step4.logout',
    title: "POST /logout deletes the session's record from Redis and redirects to /",
    slide: slides.logout,
    needs: ['step4.login-user'],
    async run(ctx) {
      const { answer, keyRemains, keyBefore } = await logout(ctx);
      if (answer.status === 404) fail('POST /logout answered 404.', "Add `router.post('/logout', …)`.");
      if (keyRemains) {
        fail(`After POST /logout, ${keyBefore} is still in Redis.`, 'Call `req.session.destroy((err) => …)`: it deletes the record. Removing `req.session.user` leaves the session (and its id) alive.');
      }
      if (!redirectsTo(answer, '/')) fail(`POST /logout answered ${answered(answer)}, expected a redirect (302 or 303) to /.`, "End with `res.redirect(303, '/')`.");
      return `${keyBefore} deleted; ${answered(answer)}.`;
    },
  },
  {
    id: 'step4.logout-cookie',
    title: 'Logging out expires the session cookie',
    slide: slides.logout,
    needs: ['step4.login-user'],
    async run(ctx) {
      const { answer, cookieName } = await logout(ctx);
      const cookie = lastSetCookie(answer, cookieName);
      const expires = cookie && /;\s*expires=([^;]+)/i.exec(cookie.raw)?.[1];
      const maxAge = cookie && /;\s*max-age=(-?\d+)/i.exec(cookie.raw)?.[1];
      const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (maxAge === undefined && expires !== undefined && Date.parse(expires) <= Date.now());
      if (!expired) {
        fail(
          cookie ? `POST /logout set ${cookieName} again without expiring it: ${cookie.raw.slice(0, 160)}` : `POST /logout set no ${cookieName} cookie: the browser keeps it.`,
          `Expire it: \`res.clearCookie('${cookieName}')\` (with the path and options it was set with).`,
        );
      }
      return `${cookieName} expired: ${cookie!.raw.slice(0, 100)}`;
    },
  },
  {
    id: 'step4.logout-old-cookie',
    title: 'The cookie from before the logout, sent again, logs nobody in',
    slide: slides.logout,
    needs: ['step4.login-user'],
    async run(ctx) {
      const { oldCookieAccount } = await logout(ctx);
      if (showsUser(oldCookieAccount)) {
        fail(`With the session cookie from before the logout, GET /account still shows ${USER.username}.`, 'Destroy the session on logout (`req.session.destroy`): a copied cookie must be worth nothing afterwards.');
      }
      return `GET /account with the old cookie: ${answered(oldCookieAccount)}, nobody logged in.`;
    },
  },
  {
    id: 'step4.session-cookie-samesite',
    title: 'The session cookie is HttpOnly and SameSite=Lax (or Strict)',
    slide: slides.cookie,
    needs: ['step3.redis-store'],
    async run(ctx) {
      const { answer, cookieName: name } = await loggedIn(ctx);
      const cookie = lastSetCookie(answer, name);
      if (!cookie) fail(`Logging in set no ${name} cookie.`, 'Log in on a regenerated session: express-session then sets the new cookie.');
      const sameSite = /;\s*samesite=(\w+)/i.exec(cookie.raw)?.[1]?.toLowerCase();
      if (sameSite !== 'lax' && sameSite !== 'strict') {
        fail(
          `The session cookie is set ${sameSite ? `with SameSite=${sameSite}` : 'without SameSite'}: ${cookie.raw.slice(0, 160)}`,
          "Add `sameSite: 'lax'` to the session's cookie options: another site's form then cannot post with it.",
        );
      }
      if (!cookie.httpOnly) fail(`The session cookie is not HttpOnly: ${cookie.raw.slice(0, 160)}`, 'Add `httpOnly: true` to the cookie options.');
      return `${name}: HttpOnly, SameSite=${sameSite}.`;
    },
  },
  {
    id: 'step4.cross-site-logout',
    title: 'A POST /logout from another site answers 403 and logs nobody out',
    slide: slides.crossSite,
    needs: ['step4.logout'],
    async run(ctx) {
      return judgeCrossSite('/logout', await crossSiteLogout(ctx));
    },
  },
  {
    id: 'step4.cross-site-login',
    title: 'A POST /login from another site answers 403 and logs nobody in',
    slide: slides.crossSite,
    needs: ['step4.login'],
    async run(ctx) {
      return judgeCrossSite('/login', await crossSiteLogin(ctx));
    },
  },
  {
    id: 'step4.bad-bodies',
    title: 'POST /login with no body, JSON, a missing or doubled field answers 4xx and logs nobody in',
    slide: slides.input,
    needs: ['step4.login'],
    async run(ctx) {
      const { attempts, tokenForm, loggedIn, nameless } = await badBodies(ctx);
      const allowed = tokenForm ? [400, 401, 403] : [400, 401];
      const hint = 'Take `req.body ?? {}` (Express 5 leaves it undefined without a form) and answer 400 unless `username` and `password` are both non-empty strings: a field given twice is an array.';
      for (const { label, page } of attempts) {
        if (page.status >= 500) fail(`POST /login with ${label} answered ${page.status}, expected ${allowed.join(' or ')}.`, hint);
        if (!allowed.includes(page.status)) fail(`POST /login with ${label} answered ${answered(page)}, expected ${allowed.join(' or ')}.`, hint);
      }
      if (loggedIn) fail(`After POST /login with bodies no login form sends, the visitor is logged in as ${USER.username}.`, hint);
      if (nameless.length) {
        fail(`POST /login with no name counted a failure anyway: ${nameless.slice(0, 3).join(', ')} is in Redis.`, 'Check the form before counting: a request without a name has nothing to count.');
      }
      const refused = await refusedBodies(ctx);
      for (const { label, page } of refused) {
        if (page.status < 400 || page.status >= 500) {
          fail(`POST /login with ${label} answered ${page.status}, expected a 4xx (the body parser refuses it).`, 'Let `express.urlencoded()` refuse it, and answer its error with its own status: an error handler last, `res.status(err.status ?? 500)`.', slides.errors);
        }
      }
      return `${[...attempts, ...refused].map((a) => a.page.status).join(', ')}; nobody logged in, nothing counted.`;
    },
  },
  {
    id: 'step4.long-name',
    title: 'A name longer than 100 characters is refused before anything is counted',
    slide: slides.input,
    needs: ['step4.login'],
    async run(ctx) {
      const { page, holding } = await longName(ctx);
      if (page.status !== 400 && page.status !== 401) fail(`POST /login with a 101-character name answered ${answered(page)}, expected 400 (or 401).`, 'Answer 400 when `username.length > 100`, before counting the attempt.');
      if (holding.length) {
        fail(
          `POST /login with a 101-character name wrote it to Redis: ${holding.slice(0, 3).join(', ')}.`,
          'Refuse a name over 100 characters before counting it: every name counted is a key in Redis, and an attacker chooses how long it is.',
        );
      }
      return `${page.status}, and no key holds the name.`;
    },
  },
  {
    id: 'step4.secure-cookie',
    title: 'Behind an HTTPS proxy on loopback, the session cookie is Secure',
    slide: slides.secure,
    needs: ['step3.redis-store'],
    async run(ctx) {
      const { page, cookieName } = await behindProxy(ctx);
      const cookie = lastSetCookie(page, cookieName);
      if (!cookie) fail(`GET / with X-Forwarded-Proto: https (from 127.0.0.1) set no ${cookieName} cookie.`, 'Count the visit in the session as for any request: the proxy only says the request came over HTTPS.');
      if (!cookie.secure) {
        fail(
          `GET / with X-Forwarded-Proto: https (from 127.0.0.1) set the session cookie without Secure: ${cookie.raw.slice(0, 160)}`,
          "Trust the proxy on loopback, `app.set('trust proxy', 'loopback')`, and give the session cookie `secure: 'auto'`: Secure when the request came over HTTPS.",
        );
      }
      return `${cookieName} set with Secure through the proxy.`;
    },
  },
  {
    id: 'step4.no-stack',
    title: "No answer shows a stack trace or a path of the app's files",
    slide: slides.errors,
    needs: ['step1.listens'],
    async run(ctx) {
      // After the requests most likely to make an error page.
      await Promise.all([badBodies(ctx), refusedBodies(ctx), longName(ctx), crossSiteLogin(ctx)].map((p) => p.catch(() => {})));
      const dirs = [ctx.app.dir, await realpath(ctx.app.dir).catch(() => ctx.app.dir)];
      const pages = ctx.pagesSeen();
      for (const page of pages) {
        const leak = leakIn(page.body, dirs);
        if (leak) {
          fail(
            `${page.method} ${new URL(page.url).pathname} answered ${page.status} with: ${leak}`,
            'Add an error handler last, `app.use((err, req, res, next) => …)`, that answers one sentence with `err.status` (or 500), and logs the error to the terminal: Express\'s own error page shows the stack to anyone.',
          );
        }
      }
      return `${pages.length} answers, none with a stack trace or a path of the app.`;
    },
  },
];

export default {
  checks,
  // Logins take a while (scrypt, on purpose): the chains start as soon as the app is up.
  prepare: startChains,
} satisfies StepChecks;
