// Your devices: the account page lists the user's sessions, and logs any of
// them out. Every route here is the logged-in user's own.
import { Router } from 'express';

/** `devices` is the index of lib/devices.js; `logout` logs this device out (routes/auth.js). */
export default function devicesRouter({ devices, logout }) {
  const router = Router();

  const loggedIn = (req, res, next) => (req.session.user ? next() : res.redirect(303, '/login'));

  // #region account
  router.get('/account', loggedIn, async (req, res) => {
    const { user, device } = req.session;
    const list = await devices.list(user.name); // no KEYS, no SCAN: the user's own index
    // This request is this device's newest sight: devices.seen may have just
    // noted it, and express-session writes it to Redis only once we answer.
    const mine = list.find((d) => d.handle === device?.handle);
    if (mine) mine.lastSeen = new Date(device.lastSeen);
    res.render('account', { title: 'Your account', user, devices: list, current: device?.handle });
  });
  // #endregion

  // #region revoke
  router.post('/sessions/:handle/revoke', loggedIn, async (req, res, next) => {
    const { handle } = req.params;
    // Looked up in this user's index only: another user's handle, or one
    // that never was, is not found here, and nothing changes.
    const sid = await devices.find(req.session.user.name, handle);
    if (!sid) {
      return res.status(404).render('error', { title: 'Not found', message: 'None of your sessions has this name.' });
    }
    // This device's own session: logging out, as POST /logout does.
    if (sid === req.sessionID) return logout(req, res, next);
    await devices.revoke(req.session.user.name, handle, sid);
    res.redirect(303, '/account');
  });
  // #endregion

  // #region revoke-others
  // "Log out everywhere else": every session of the user but this one.
  router.post('/sessions/revoke-others', loggedIn, async (req, res) => {
    await devices.revokeOthers(req.session.user.name, req.sessionID);
    res.redirect(303, '/account');
  });
  // #endregion

  return router;
}
