// Step 3, a persistent session store: a per-visitor counter kept in the
// session, stored in the Redis at REDIS_URL, surviving a restart and shared
// by a second instance; static files make no session; the cookie is HttpOnly.
//
// "The view gets the session through res.locals" has no check of its own:
// a page rendered from res.locals and one rendered from render()'s options
// are the same bytes. step3.counter, which sees the count in the page,
// covers what can be observed of it.
import { AppStartError, CannotCheck, fail, latestByName, redactUrl, seeCheck, type Check, type Page, type StepChecks, type VerifyContext } from 'workshop-runner';
import { visitCount } from './visits.ts';
import { hintForCounts, hintForLostCount, hintForNoSessionsInRedis, httpOnlyHint, staticSessionHint } from './hints.ts';
import { otherVisitor, restart, sessionCookie, sessionKeysOf, staticFile, threeVisits } from './probes.ts';
import { slides } from './slides.ts';

function shown(page: Page): string {
  const count = visitCount(page.body);
  return count.numbers[0] === undefined ? 'no number' : String(count.numbers[0]);
}

/** Numbers anywhere in a JSON value, the express-session `cookie` object left out. */
export function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'cookie' ? [] : numbersIn(v)));
  }
  return [];
}

async function restartOrFail(ctx: VerifyContext) {
  try {
    return await restart(ctx);
  } catch (err) {
    if (err instanceof AppStartError) fail(err.message, err.hint, err.slide);
    throw err;
  }
}

/**
 * A visitor counted 1 by one instance is counted 2 on `page`, served by
 * another; if not, `lost` words it, and whether the visitor's session reached
 * Redis picks the hint (its keys are only looked up then).
 */
async function countGoesOn(page: Page, lost: (shown: string) => string, sessionKeys: () => Promise<string[]>): Promise<void> {
  if (visitCount(page.body).numbers.includes(2)) return;
  fail(lost(shown(page)), hintForLostCount((await sessionKeys()).length > 0));
}

const checks: Check<VerifyContext>[] = [
  {
    id: 'step3.counter',
    title: 'Each visit to / adds one to a counter shown on the page',
    slide: slides.visitsRoute,
    needs: ['step1.home-page'],
    async run(ctx) {
      const { visitor, pages } = await threeVisits(ctx);
      const counts = pages.map((p) => visitCount(p.body));
      for (const [i, page] of pages.entries()) {
        if (page.status !== 200) throw ctx.notOk(page, `Visit ${i + 1} to /`);
      }
      if (!counts[0]?.mentionsVisit) {
        fail(
          `The page never says “visit”: ${counts[0]?.snippet ? `“${counts[0].snippet}…”` : 'it has no text'}.`,
          'Show the count beside the word “visit” in views/index.pug, e.g. `p You have visited this page #{session.visits} times.`, with the session in res.locals.',
          slides.visitsView,
        );
      }
      for (const [i, count] of counts.entries()) {
        if (count.numbers.includes(i + 1)) continue;
        const session = await sessionCookie(ctx);
        fail(
          `After ${i + 1} visit${i ? 's' : ''} with the same cookies, the page shows ${count.numbers[0] ?? 'no number'} beside “visit” (“${count.snippet}”), expected ${i + 1}.`,
          count.numbers.length === 0 && i === 0
            ? 'Put the count in the page: `p You have visited this page #{session.visits} times.`, with `res.locals.session = req.session` in a middleware before the routes.'
            : hintForCounts(
                counts.map((c) => c.numbers[0]),
                { sessionCookieSet: !!session.cookie, secureCookie: visitor.received.some((c) => c.secure) },
              ),
          count.numbers.length === 0 && i === 0 ? slides.visitsView : undefined,
        );
      }
      return `Three visits with one cookie jar show 1, 2, 3 (“${counts[2]?.snippet}”).`;
    },
  },
  {
    id: 'step3.counter-per-visitor',
    title: 'Each visitor has a count of their own',
    slide: slides.visitsRoute,
    needs: ['step3.counter'],
    async run(ctx) {
      const [page] = (await otherVisitor(ctx)).pages;
      if (!page) throw new Error('no page');
      if (page.status !== 200) throw ctx.notOk(page, 'GET / for a second visitor');
      if (!visitCount(page.body).numbers.includes(1)) {
        fail(
          `After another visitor's three visits, a new visitor's first page shows ${shown(page)}, expected 1: the count is shared by everyone.`,
          'Keep the count in `req.session` (one per visitor), not in a variable of the app.',
        );
      }
      return "A new visitor starts at 1, whatever others' counts.";
    },
  },
  {
    id: 'step3.redis-store',
    title: 'Sessions are stored in the Redis at REDIS_URL',
    slide: slides.sessionStore,
    needs: ['step1.home-page'],
    async run(ctx) {
      const redis = ctx.redis;
      if (!redis) throw new Error('no Redis for step 3');
      await threeVisits(ctx);
      const { key } = await sessionCookie(ctx);
      if (key) return `The visitor's session is stored under the key “${key}”.`;
      const keys = await redis.keys();
      const records = await Promise.all(keys.slice(0, 50).map((k) => redis.read(k).catch(() => undefined)));
      const sessions = keys.filter((_, i) => /"cookie"\s*:/.test(records[i] ?? ''));
      if (sessions.length) {
        return `Redis holds ${sessions.length} session record${sessions.length > 1 ? 's' : ''} (e.g. “${sessions[0]}”), though none matches the visitor's cookie ${seeCheck(checks, 'step3.counter')}.`;
      }
      if (keys.length) {
        fail(
          `After 3 visits, the Redis in REDIS_URL holds ${keys.length} key${keys.length > 1 ? 's' : ''} (e.g. “${keys[0]}”), but no session record.`,
          'Give express-session the Redis store: `session({ store: new RedisStore({ client: redisClient }), ... })`.',
        );
      }
      const connected = (await redis.appConnections()) > 0;
      fail(
        `After 3 visits, the Redis in REDIS_URL (${redactUrl(redis.url)}) holds no session, and the app ${connected ? 'is connected to it' : 'never connected to it'}.`,
        hintForNoSessionsInRedis(connected),
      );
    },
  },
  {
    id: 'step3.redis-record',
    title: 'The session record in Redis holds the count',
    slide: slides.redisCli,
    needs: ['step3.redis-store'],
    async run(ctx) {
      const { key } = await sessionCookie(ctx);
      if (!key || !ctx.redis) throw new CannotCheck(`no cookie of the visitor names a session key in Redis ${seeCheck(checks, 'step3.counter')}.`);
      const value = (await ctx.redis.read(key)) ?? '';
      let data: unknown;
      try {
        data = JSON.parse(value);
      } catch {
        fail(`The record “${key}” is not JSON: “${value.slice(0, 120)}”.`, 'Let connect-redis store the session as it does by default (JSON).');
      }
      const compact = JSON.stringify({ ...(data as object), cookie: undefined });
      if (!numbersIn(data).includes(3)) {
        fail(
          `After 3 visits, the record “${key}” holds ${compact.slice(0, 160)}: no count of 3.`,
          'Keep the count in `req.session` itself (`req.session.visits = (req.session.visits || 0) + 1`): what is in req.session is what the store saves. A count kept as text ("3") is not a number either.',
        );
      }
      return `“${key}” holds ${compact.slice(0, 160)}.`;
    },
  },
  {
    id: 'step3.survives-restart',
    title: 'The count continues after the app restarts',
    slide: slides.whenItDoesntWork,
    needs: ['step3.counter'],
    async run(ctx) {
      const { before, after, sessionKeys } = await restartOrFail(ctx);
      if (before.status !== 200) throw ctx.notOk(before, 'GET / before the restart');
      if (after.status !== 200) throw ctx.notOk(after, 'GET / on a fresh copy of the app (the restart)');
      await countGoesOn(
        after,
        (count) => `A visitor counted 1 by the app; a fresh copy of the app, started after that on the same Redis (a restart), shows ${count}, expected 2.`,
        async () => sessionKeys,
      );
      return 'Counted 1, then 2 by a fresh copy of the app started after that visit.';
    },
  },
  {
    id: 'step3.second-instance',
    title: 'A second instance on the same Redis continues the count',
    slide: slides.whenItDoesntWork,
    needs: ['step3.counter'],
    async run(ctx) {
      const { restarted } = await restartOrFail(ctx);
      const { visitor } = await otherVisitor(ctx);
      const page = await ctx.visit(visitor, restarted, '/');
      if (page.status !== 200) throw ctx.notOk(page, 'GET / on the second instance', restarted.stderr);
      await countGoesOn(
        page,
        (count) => `A visitor counted 1 on one instance; on a second instance sharing the same Redis the page shows ${count}, expected 2.`,
        () => sessionKeysOf(ctx, visitor),
      );
      return 'Counted 1 on one instance, and 2 on the other.';
    },
  },
  {
    id: 'step3.static-no-session',
    title: 'Static files set no cookie and create no session',
    slide: slides.sessionStore,
    needs: ['step1.stylesheet'],
    async run(ctx) {
      const { page, newKeys } = await staticFile(ctx);
      const cookies = latestByName(page.setCookies).map((c) => c.name);
      if (cookies.length || newKeys.length) {
        const what = [
          cookies.length ? `set ${cookies.join(', ')}` : '',
          newKeys.length ? `created ${newKeys.length === 1 ? 'a key' : `${newKeys.length} keys`} in Redis (“${newKeys[0]}”)` : '',
        ].filter(Boolean);
        fail(`A new visitor's GET /stylesheets/style.css ${what.join(' and ')}; expected no cookie and no session.`, staticSessionHint);
      }
      return 'GET /stylesheets/style.css set no cookie and left Redis as it was.';
    },
  },
  {
    id: 'step3.session-cookie-httponly',
    title: 'The session cookie is HttpOnly',
    slide: slides.sessionStore,
    needs: ['step1.home-page'],
    async run(ctx) {
      const { cookie } = await sessionCookie(ctx);
      if (!cookie) throw new CannotCheck(`no session cookie came back to identify ${seeCheck(checks, 'step3.counter')}.`);
      if (!cookie.httpOnly) fail(`The session cookie ${cookie.name} is set without HttpOnly: page scripts can read it.`, httpOnlyHint("the session cookie (`session({ cookie: { httpOnly: true } })`, express-session's default)"));
      return `${cookie.name} is set with HttpOnly.`;
    },
  },
];

export default {
  checks,
  // The restart (one visit, then a fresh copy of the app) is the longest
  // chain of the run: it starts with the run, beside the quick checks.
  prepare: (ctx) => void restart(ctx).catch(() => {}),
} satisfies StepChecks;
