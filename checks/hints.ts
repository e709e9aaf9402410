// Symptoms → the mistakes this workshop's learners most often make, and
// their fix, with the slide that teaches it. Pure: the checks pass in what
// they observed (an app's stderr, a 500 page, counts) and get back one
// hint, or '' when nothing specific is recognised.
import { genericDiagnosis, type Diagnose, type Diagnosis, type SlideLink } from 'workshop-runner';
import { slides } from './slides.ts';

/** Error text (stderr at start-up, or the body of a 500) → a hint naming the likely mistake, and its slide. */
export const diagnose: Diagnose = (text, env) => {
  const d = (hint: string, slide?: SlideLink): Diagnosis => ({ hint, slide });
  const t = text;
  if (
    /connectRedis is not a function|RedisStore is not a constructor|require\(\.\.\.\) is not a function[\s\S]*connect-redis|connect-redis[\s\S]*(?:require\(\.\.\.\) is not a function|does not provide an export named 'default')|does not provide an export named 'default'[\s\S]*connect-redis/i.test(
      t,
    )
  ) {
    return d(
      "This is connect-redis's old API (before version 7): `require('connect-redis')(session)` no longer exists. " +
      "Write `import { RedisStore } from 'connect-redis'` (or `const { RedisStore } = require('connect-redis')`) " +
      'and `new RedisStore({ client: redisClient })`.',
      slides.requireStore,
    );
  }
  if (/ClientClosedError|The client is closed/i.test(t)) {
    return d(
      'The Redis client was never connected: call `await redisClient.connect()` (or `redisClient.connect().catch(console.error)`) ' +
      'before the app starts handling requests.',
      slides.sessionStore,
    );
  }
  const refused = /ECONNREFUSED (?:127\.0\.0\.1|::1|localhost|\[::1\]):(\d+)/i.exec(t);
  if (refused && env.redisPort !== undefined && Number(refused[1]) !== env.redisPort && Number(refused[1]) !== env.port) {
    return d(
      `The app tried to reach a server on port ${refused[1]}, but the Redis it was given is on port ${env.redisPort} (in REDIS_URL): ` +
      'it seems to ignore REDIS_URL. Create the client with `createClient({ url: process.env.REDIS_URL })`.',
      slides.sessionStore,
    );
  }
  // Any Node app's mistakes, pointed at the slide that teaches the fix here.
  const generic = genericDiagnosis(t, env);
  if (generic) {
    if (/EADDRINUSE/.test(t)) return d(generic.hint, slides.startApp);
    if (/Cannot find (?:module|package)/.test(t)) return d(generic.hint, slides.packageJson);
    return generic;
  }
  if (/\.pug:\d+/.test(t) && /Cannot read propert(?:y|ies) of undefined|is not defined/.test(t)) {
    return d(
      'The view reads a value it was never given (the lines above show which): for `session`, add a middleware after the session and before the routes: ' +
        '`app.use((req, res, next) => { res.locals.session = req.session; next(); })`.',
      slides.locals,
    );
  }
  if (/Cannot (?:read|set) propert(?:y|ies) of undefined \(reading '(?:visits|views|count|cookie)'\)|req\.session is undefined|reading 'visits'/i.test(t)) {
    return d(
      '`req.session` is undefined in the route. Either the session middleware comes after the routes ' +
      '(`app.use(session(...))` must come before `app.use(\'/\', indexRouter)`), or the store could not reach Redis.',
      slides.sessionStore,
    );
  }
  if (/secret option required for sessions/i.test(t)) {
    return d('express-session needs a `secret` to sign the session cookie: `session({ secret: process.env.SESSION_SECRET || \'keyboard cat\', ... })`.', slides.sessionStore);
  }
  if (/cookieParser\("secret"\) required for signed cookies/i.test(t)) {
    return d("Signed cookies need cookie-parser's secret: `app.use(cookieParser(secret))`.", slides.cookieParser);
  }
  if (/Failed to lookup view "([^"]+)"/.test(t)) {
    return d('res.render() names a view that is not in the views folder: check the name and `app.set(\'views\', ...)`.', slides.pugView);
  }
  return undefined; // the engine then asks its own (its verify/diagnose.ts, exported as genericDiagnosis)
};

/** Why the counts after `n` visits with one cookie jar are not 1, 2, 3… */
export function hintForCounts(counts: readonly (number | undefined)[], cookie: { sessionCookieSet: boolean; secureCookie: boolean }): string {
  const shown = counts.map((c) => (c === undefined ? '' : String(c)));
  if (shown.length >= 2 && shown.every((s, i) => s === '1'.repeat(i + 1))) {
    return (
      'The count is joined as text: "1" + 1 is "11". Start from a number and add to it: ' +
      '`req.session.visits = (req.session.visits || 0) + 1`.'
    );
  }
  if (counts.every((c) => c === 1)) {
    if (cookie.secureCookie || !cookie.sessionCookieSet) {
      return (
        'No session cookie came back over http. If the session has `cookie: { secure: true }`, the cookie is only sent over HTTPS: ' +
        'leave `secure` off for http://127.0.0.1 (or set it only in production, behind `app.set(\'trust proxy\', 1)`). ' +
        'Also make sure something is stored in the session, or with `saveUninitialized: false` no cookie is set.'
      );
    }
    return (
      'The session cookie is set and sent back, yet every visit starts a new session: the app does not recognise its own cookie. ' +
      'Keep the session secret the same for every request (not generated per request), and if cookie-parser has a secret, give it the same one as the session.'
    );
  }
  return 'Add one per visit to a number kept in the session, e.g. `req.session.visits = (req.session.visits || 0) + 1`, and show it in the view.';
}

/** Sessions were counted but nothing reached the Redis we gave the app. */
export function hintForNoSessionsInRedis(appConnected: boolean): string {
  return appConnected
    ? 'The app is connected to the Redis in REDIS_URL but stores no session there: the session middleware still uses the default MemoryStore. ' +
        'Pass the store: `session({ store: new RedisStore({ client: redisClient }), ... })`.'
    : 'The app never connected to the Redis in REDIS_URL: it seems to ignore REDIS_URL (or has no Redis client yet). ' +
        'Create the client with `createClient({ url: process.env.REDIS_URL })`, connect it, and give it to `new RedisStore({ client })`.';
}

/** The count started over after a restart or on another instance. */
export function hintForLostCount(redisHoldsSession: boolean): string {
  return redisHoldsSession
    ? 'Redis still holds this visitor\'s session, but the new process did not accept the cookie: the session secret changes at each start ' +
        '(e.g. `crypto.randomBytes(...)`). Read it from an environment variable with a fixed fallback: `process.env.SESSION_SECRET || \'keyboard cat\'`.'
    : 'The session is not in Redis, so a new process cannot know it: sessions are kept in the app\'s memory (the default MemoryStore) or elsewhere. ' +
        'Use `store: new RedisStore({ client: redisClient })` with a client connected to REDIS_URL.';
}

export const staticSessionHint =
  'Static files go through the session middleware and each request makes a new, empty session (`saveUninitialized: true`). ' +
  'Put `app.use(express.static(...))` before `app.use(session(...))`, and set `saveUninitialized: false`.';

export const httpOnlyHint = (what: string) =>
  `Set \`httpOnly: true\` on ${what}, so scripts in the page cannot read it.`;
