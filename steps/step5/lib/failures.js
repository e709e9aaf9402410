// Login attempts, counted per name in Redis: every instance of the app sees
// the same count, and a restart does not forget it. The count lives 15
// minutes from the first attempt (a fixed window), then Redis deletes it;
// a successful login deletes it at once.
// #region limits
export const MAX_FAILURES = 5;
export const WINDOW_SECONDS = 15 * 60;
// #endregion

// #region script
// Adding one and setting the expiry must be one step. As two commands, the
// key can expire between them (SET … NX EX, then INCR: the INCR makes a new
// key with no expiry), or the app can crash between them (INCR, then EXPIRE):
// either way a count is left that never expires, and the name is locked out
// for good. Redis runs a Lua script as one command: nothing happens between
// its lines, no other client's command, no expiry.
const COUNT_ATTEMPT = `
local attempts = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { attempts, ttl }
`;
// #endregion

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
      const [attempts, ttl] = await redis.eval(COUNT_ATTEMPT, { keys: [key(name)], arguments: [String(WINDOW_SECONDS)] });
      return attempts <= MAX_FAILURES ? 0 : Math.max(1, ttl);
    },
    /** A successful login forgets the failures. */
    clear: (name) => redis.del(key(name)),
  };
}
// #endregion
