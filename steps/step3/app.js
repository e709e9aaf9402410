// Step 3: sessions kept in Redis, so they outlive a restart of the app
// and are shared by every copy of it.
// #region imports
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import indexRouter from './routes/index.js';

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

// #region static
// Static files first: a request for a stylesheet ends here, before any
// cookie or session work, so it never creates a session in Redis.
app.use(express.static(join(here, 'public')));
// #endregion

// #region cookies
// Still needed for our own signed cookie (req.signedCookies.firstVisit).
// express-session reads and checks its own cookie with its own secret;
// giving both the same one keeps a single secret to look after.
app.use(cookieParser(secret));
// #endregion

// #region session
app.use(
  session({
    store, // Redis instead of the default MemoryStore
    secret,
    resave: false, // don't write unchanged sessions back to Redis
    saveUninitialized: false, // don't store empty sessions
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
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

app.use('/', indexRouter);

// Express 5 hands a failure to listen (the port is taken) to this callback.
app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`Listening on http://127.0.0.1:${port}`);
});
