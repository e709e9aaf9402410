// Your devices: every session of a user, to list and to log out one by one.
//
// connect-redis keeps a session as 'sess:<session id>', and nothing in that
// key says whose it is. To find ada's sessions among every session of every
// user, KEYS sess:* would block Redis while it walks them all, and SCAN walks
// them all too, only in slices. So the app keeps its own index: one Redis
// hash per user, from a handle to a session id, written at login.
//
//   devices:ada   { "Vn3…": "<session id>", "q8K…": "<session id>" }
//
// The handle names a session on the account page. Never the session id
// there: whoever reads an id can set it as their cookie, and is logged in.
// The handle is random, kept in the session's record, and nothing turns it
// back into the id: only this index, which the user reads through the app.
import { randomBytes } from 'node:crypto';

// #region constants
// A device's "last seen" is written at most this often (see seen() below).
export const LAST_SEEN_EVERY = 60 * 1000;
// The index's expiry is a session's and this much more (see renew() below).
const MARGIN_SECONDS = 60 * 60;
// #endregion

/**
 * The index on `client`, for sessions kept by `store` (connect-redis: its
 * prefix names their keys) for `sessionSeconds` after their last request.
 */
export function deviceIndex({ client, store, sessionSeconds }) {
  const key = (name) => `devices:${name}`;
  const ttl = sessionSeconds + MARGIN_SECONDS;

  // #region renew
  // A Redis hash cannot expire one field at a time (before Redis 7.4), so
  // the whole index gets an expiry: a user who never comes back leaves no key
  // behind for good. It must not go before any of its sessions does, or their
  // devices would vanish from the list while still logged in.
  //
  // When does a session's expiry move? express-session (index.js, at the end
  // of each request that loaded a session) calls store.set() when the session
  // changed, else store.touch(); connect-redis then sets the record's TTL to
  // what is left of the cookie's maxAge, which req.session.touch() has just
  // reset: so every request of a device pushes its expiry to now + maxAge.
  // Renewing the index on every request would cost a command each time, so
  // we renew it at login, and whenever seen() notes a device's "last seen":
  // on its first request a minute or more after the last one noted. Every
  // request of a device thus comes less than a minute after a renewal, and
  // the session it extends ends less than a minute (and that request's own
  // time) after renewal + maxAge; the index ends an hour after: it outlives
  // the session. EXPIRE sets now + ttl, so a renewal for one device never
  // shortens the index for another.
  const renew = (name) => client.expire(key(name), ttl);
  // #endregion

  return {
    /** A new handle: 16 random bytes, safe in a URL. */
    newHandle: () => randomBytes(16).toString('base64url'),

    // #region record
    /** At login, after the session was saved: the new session joins the index. */
    async record(name, handle, sid) {
      // The entry and the expiry in one MULTI, as step 4 counted failures:
      // no crash between two commands can leave an index that never expires.
      await client.multi().hSet(key(name), handle, sid).expire(key(name), ttl).exec();
    },
    // #endregion

    // #region list
    /** The user's sessions, oldest login first; drops the entries of sessions that ended. */
    async list(name) {
      const entries = Object.entries(await client.hGetAll(key(name))); // [[handle, sid], …]
      if (entries.length === 0) return [];
      // A session can end without us: it expired, or its key was deleted.
      // One MGET reads every record, one command and one round trip however
      // many there are (a GET per entry, awaited in turn, would wait for
      // Redis once per entry); a record that is gone comes back as null.
      const records = await client.mGet(entries.map(([, sid]) => store.prefix + sid));
      const gone = entries.filter((_, i) => records[i] === null).map(([handle]) => handle);
      if (gone.length > 0) await client.hDel(key(name), gone);

      return entries
        .flatMap(([handle], i) => {
          if (records[i] === null) return [];
          const { device } = JSON.parse(records[i]); // connect-redis stores the record as JSON
          return [{ handle, userAgent: device.userAgent, loggedInAt: new Date(device.loggedInAt), lastSeen: new Date(device.lastSeen) }];
        })
        .sort((a, b) => a.loggedInAt - b.loggedInAt);
    },
    // #endregion

    // #region find
    /**
     * The session id of `handle`, only if it is one of this user's: we look
     * in their index and nowhere else. A handle of another user's session,
     * or one that never was, finds nothing. Without this, anyone logged in
     * could log anyone out.
     */
    async find(name, handle) {
      return client.hGet(key(name), handle); // null when not there
    },
    // #endregion

    // #region revoke
    /** Logs out another device of the user: that device's next request finds no session. */
    async revoke(name, handle, sid) {
      // Record first, entry second: if we stop between the two, the entry
      // left names a record that is gone, which list() drops.
      await store.destroy(sid);
      await client.hDel(key(name), handle);
    },
    // #endregion

    // #region revoke-others
    /** Logs out every device of the user but the session `keepSid`. */
    async revokeOthers(name, keepSid) {
      const others = Object.entries(await client.hGetAll(key(name))).filter(([, sid]) => sid !== keepSid);
      if (others.length === 0) return;
      // node-redis sends the commands of one tick together: one round trip.
      await Promise.all(others.map(([, sid]) => store.destroy(sid)));
      await client.hDel(key(name), others.map(([handle]) => handle));
    },
    // #endregion

    // #region forget
    /** At logout, once the session's record is destroyed: its entry goes too. */
    async forget({ user, device }) {
      // A session logged in before this step has no device, and no entry.
      if (user && device) await client.hDel(key(user.name), device.handle);
    },
    // #endregion

    // #region seen
    /**
     * Middleware, after express-session, for every request of a logged-in
     * device. First: is this session still in its user's index? Revoking a
     * device destroys its record, but a request that device had in flight
     * at that moment ends with express-session saving the record again (a
     * plain SET): without this check, the revoked device would stay logged
     * in, and unlisted, for good. So the index, not the record, says which
     * devices are logged in; one HEXISTS a request is the price.
     *
     * Then, at most once a minute: when the device was last seen. The time
     * goes into the session's record, which express-session writes at the end
     * of the request anyway (a SET of the changed record instead of the
     * EXPIRE of a touch: the same one round trip), and that minute is also
     * when the index's expiry is renewed.
     */
    async seen(req, res, next) {
      const { user, device } = req.session;
      if (!user || !device) return next();
      if (!(await client.hExists(key(user.name), device.handle))) {
        // Revoked: this device is nobody now, with a new, empty session.
        return req.session.regenerate(next);
      }
      if (Date.now() - device.lastSeen >= LAST_SEEN_EVERY) {
        device.lastSeen = Date.now();
        await renew(user.name);
      }
      next();
    },
    // #endregion
  };
}
