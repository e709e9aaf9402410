// Login attempts, counted per name in Redis: every instance of the app sees
// the same count, and a restart does not forget it. The count lives 15
// minutes from the first attempt (a fixed window), then Redis deletes it;
// a successful login deletes it at once.
export const MAX_FAILURES = 5;
const WINDOW_SECONDS = 15 * 60;

// #region failures
export function loginAttempts(redis) {
  const key = (name) => `login:failures:${name.toLowerCase()}`;
  return {
    /**
     * Counts one more attempt for `name` and returns 0 if it may try, or the
     * seconds it must wait. Counting before checking the password means a
     * burst of requests cannot slip more than 5 guesses past the limit.
     */
    async take(name) {
      // SET … NX EX creates the key with its expiry in one step: no crash in
      // between can leave a count that never expires.
      await redis.set(key(name), 0, { NX: true, EX: WINDOW_SECONDS });
      const attempts = await redis.incr(key(name));
      if (attempts <= MAX_FAILURES) return 0;
      return Math.max(1, await redis.ttl(key(name)));
    },
    /** A successful login forgets the failures. */
    clear: (name) => redis.del(key(name)),
  };
}
// #endregion
