// Step 5: your devices. Step 4's logins, and each user sees their sessions
// and can log any of them out.
// #region imports
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
// #region step4-imports
import indexRouter from './routes/index.js';
import authRouter, { logOut } from './routes/auth.js';
import { loginAttempts } from './lib/failures.js';
import { sameOrigin } from './lib/same-origin.js';
// #endregion
// #region step5-imports
import devicesRouter from './routes/devices.js';
import { deviceIndex } from './lib/devices.js';
// #endregion

const port = Number(process.env.PORT) || 3000;
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

// One Redis connection for the whole app. Give up at once if Redis is not
// there at start; once connected, retry a lost connection instead of crashing.
let connected = false;
const redisClient = createClient({
  url: redisUrl,
  socket: {
    reconnectStrategy: (retries, cause) => (connected ? Math.min(retries * 100, 2000) : cause),
  },
});
redisClient.on('ready', () => {
  if (connected) console.log('Redis: connected again'); // a 'ready' after the first is a reconnection
  connected = true;
});
redisClient.on('error', (err) => connected && console.error(`Redis: ${err.message}`));

try {
  await redisClient.connect();
} catch (err) {
  console.error(`Cannot reach Redis at ${redisUrl} (${err.message}): start redis-server, or set REDIS_URL.`);
  process.exit(1);
}

// Sessions are stored under the key 'sess:<session id>'.
const store = new RedisStore({ client: redisClient, prefix: 'sess:' });
// #endregion

// #region devices
// A session lives a day after its last request: the cookie's maxAge below,
// which connect-redis also gives its record as a TTL in Redis.
const sessionMaxAge = 24 * 60 * 60 * 1000;
// Each user's sessions, indexed in Redis on the same connection
// (lib/devices.js).
const devices = deviceIndex({ client: redisClient, store, sessionSeconds: sessionMaxAge / 1000 });
// #endregion

// #region secret
// Signs the session cookie and our firstVisit cookie (step 2 read it from
// COOKIE_SECRET; one secret now serves both, under a new name). It must stay
// the same across restarts: with a new secret, every visitor's cookie stops
// being valid.
const secret = process.env.SESSION_SECRET || 'keyboard cat';
if (!process.env.SESSION_SECRET) {
  console.warn('SESSION_SECRET is not set: using a development secret.');
}
// #endregion

const app = express();
const here = dirname(fileURLToPath(import.meta.url)); // this file's folder

app.set('views', join(here, 'views'));
app.set('view engine', 'pug');

// #region proxy
// In production an HTTPS proxy (nginx, a load balancer) usually sits in
// front of the app and talks to it over plain HTTP on this machine. Trust
// what it says about the request (X-Forwarded-Proto: https) only when it
// comes from loopback: then req.secure is true, and the session cookie below
// gets Secure. Anyone else could send that header too.
app.set('trust proxy', 'loopback');
// #endregion

// #region static
// Static files first: a request for a stylesheet ends here, before any
// cookie or session work, so it never creates a session in Redis.
app.use(express.static(join(here, 'public')));
// #endregion

// #region csrf
// Then refuse any POST another site's page made the browser send
// (lib/same-origin.js): before the form, the cookies or the session are read,
// so such a request changes nothing, in Redis or in the browser.
app.use(sameOrigin);
// #endregion

// #region forms
// The login form arrives URL-encoded, as browsers send forms: this fills req.body.
app.use(express.urlencoded({ extended: false }));
// #endregion

// #region cookies
// Still needed for our own signed cookie (req.signedCookies.firstVisit).
// express-session reads and checks its own cookie with its own secret;
// giving both the same one keeps a single secret to look after.
app.use(cookieParser(secret));
// #endregion

// #region session
// The session cookie's name (express-session's default): logout clears it.
const sessionCookie = 'connect.sid';
app.use(
  session({
    name: sessionCookie,
    store, // Redis instead of the default MemoryStore
    secret,
    resave: false, // don't write unchanged sessions back to Redis
    saveUninitialized: false, // don't store empty sessions
    // httpOnly: page scripts cannot read the cookie. sameSite 'lax': the
    // browser does not send it with another site's form posts. secure
    // 'auto': Secure (sent over HTTPS only) when the request came over HTTPS.
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: sessionMaxAge },
  }),
);
// #endregion

// #region locals
// Today's "dynamic helper": whatever is in res.locals is available to
// every view, so templates can read `session`.
app.use((req, res, next) => {
  res.locals.session = req.session;
  next();
});
// #endregion

// #region seen
// A logged-in device must still be in its user's index (a revoked one is
// logged out, even if a request of its own wrote its record back); and when
// it was last seen is noted, keeping the index from expiring before the
// session does (lib/devices.js).
app.use(devices.seen);
// #endregion

// #region routes
// The login routes get what they need from here: a counter of login attempts
// on our Redis connection, and the device index. Logging out (which clears
// the session cookie, by its name) is one function for two routes: POST
// /logout, and revoking this device's own session from the account page.
const logout = logOut({ devices, cookieName: sessionCookie });
app.use('/', indexRouter);
app.use('/', authRouter({ attempts: loginAttempts(redisClient), devices, logout }));
app.use('/', devicesRouter({ devices, logout }));
// #endregion

// #region errors
// Last: whatever error a route or middleware passes on (Express 5 passes on
// a rejected promise too). Express's own error page shows the stack, with
// our files' paths, to anyone; ours says one sentence, and the terminal gets
// the whole error. A 4xx from a library (a body too large, an unknown
// charset) says what it was: http-errors marks those messages `expose`.
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err); // too late for a page: Express closes the connection
  const status = err.status >= 400 && err.status < 500 ? err.status : 500;
  if (status === 500) console.error(err);
  const message = err.expose ? `The request could not be read: ${err.message}.` : 'Something went wrong on our side. Try again in a moment.';
  res.status(status).render('error', { title: 'Error', message });
});
// #endregion

// Express 5 hands a failure to listen (the port is taken) to this callback.
app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`Listening on http://127.0.0.1:${port}`);
});
