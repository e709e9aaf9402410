// Logging in and out, on the session store.
// #region router
import { Router } from 'express';
import { verifyPassword } from '../lib/password.js';
import { users } from '../lib/users.js';

// A hash to check when the name is no user: the answer then takes as long as
// for a real user, so timing does not tell which names exist.
const NOBODY = 'scrypt:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
// Longer names are refused before they are counted: each would be a Redis key.
const MAX_NAME = 100;

/**
 * `attempts` counts logins per name (lib/failures.js), `devices` indexes each
 * user's sessions (lib/devices.js), `logout` is logOut() below.
 */
export default function authRouter({ attempts, devices, logout }) {
  const router = Router();

  router.get('/login', (req, res) => {
    res.render('login', { title: 'Log in' });
  });
  // #endregion

  // #region login-input
  router.post('/login', async (req, res, next) => {
    // req.body is undefined when no form came (Express 5), and a field sent
    // twice (username=a&username=b) is an array: accept two strings only.
    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return res.status(400).render('login', { title: 'Log in', error: 'Enter a name and a password.' });
    }
    if (username.length > MAX_NAME) {
      return res.status(400).render('login', { title: 'Log in', error: `A name has at most ${MAX_NAME} characters.` });
    }
    // #endregion

    // #region login-check
    const wait = await attempts.take(username);
    if (wait) {
      res.set('Retry-After', String(wait));
      return res.status(429).render('login', { title: 'Log in', username, error: 'Too many failed attempts. Try again later.' });
    }

    const user = users.get(username.toLowerCase()); // names are not case-sensitive
    const ok = await verifyPassword(password, user?.passwordHash ?? NOBODY);
    if (!user || !ok) {
      // One sentence whether the name or the password was wrong: an attacker
      // must not learn which names exist.
      return res.status(401).render('login', { title: 'Log in', username, error: 'Wrong name or password.' });
    }
    // #endregion

    // #region login-session
    await attempts.clear(username);
    // A new session id now that the visitor is someone: an id planted or seen
    // before logging in (session fixation) is worth nothing afterwards.
    // regenerate() starts an empty session, so we carry the count over.
    // (It also destroys the old record: if the visitor was logged in already,
    // that session's entry in the index names nothing now; the account page
    // drops such entries when it reads them.)
    const visits = req.session.visits;
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.visits = visits;
      req.session.user = { name: user.name };
      // #region login-device
      // What the account page will show of this device. A User-Agent is
      // whatever the sender chose: we keep 200 characters of it, and the
      // page shows it as text. The handle names this session on that page.
      const now = Date.now();
      const handle = devices.newHandle();
      req.session.device = { handle, userAgent: req.get('User-Agent')?.slice(0, 200) ?? '', loggedInAt: now, lastSeen: now };
      // #endregion
      // Saved before the redirect goes out, so the next page finds the user.
      req.session.save((err) => {
        if (err) return next(err);
        // #region login-index
        // Into the index once the record is in Redis: an account page read
        // in between would otherwise find no record and drop the entry.
        // (A promise in a callback: Express does not see its failure, so we
        // hand it to next.)
        devices.record(user.name, handle, req.sessionID).then(() => res.redirect(303, '/'), next);
        // #endregion
      });
    });
  });
  // #endregion

  router.post('/logout', logout);

  return router;
}

// #region logout
/** Logs this device out; `cookieName` is the session cookie's. */
export function logOut({ devices, cookieName }) {
  return (req, res, next) => {
    const session = req.session; // destroy() takes it off req
    // destroy() deletes the session's record from Redis; clearing the cookie
    // tells the browser to forget an id that now names nothing.
    session.destroy((err) => {
      if (err) return next(err);
      // #region logout-index
      // Then its entry leaves the user's index (record first, entry second,
      // as lib/devices.js's revoke() explains).
      devices.forget(session).then(() => {
        res.clearCookie(cookieName, { httpOnly: true, sameSite: 'lax', secure: req.secure });
        res.redirect(303, '/');
      }, next);
      // #endregion
    });
  };
}
// #endregion
