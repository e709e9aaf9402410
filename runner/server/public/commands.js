// A slide's shell commands, rewritten for this runner. The deck was recorded
// against an app on port 3000, the default Redis and a session of that run;
// here the learner's app, Redis and sessions are elsewhere. Pure: the page
// (slides.js) shows the parts and marks the rewritten ones; the exported deck
// never calls this and keeps the commands as recorded.

/**
 * @typedef {object} RunnerFacts
 * @property {string} [appUrl] the learner's app, as the runner runs it: `http://127.0.0.1:41234`
 * @property {string} [redisCli] what reaches the runner's Redis (GET /api/state → redis.cli): `redis-cli -p 6420`
 * @property {string} [sessionKey] a session key in that Redis now: the newest
 *
 * @typedef {object} CommandPart
 * @property {string} text what the learner sees and copies
 * @property {string} [was] the slide's own text, when `text` replaces it
 * @property {string} [why] why it was rewritten, or why it was kept (`kept`)
 * @property {boolean} [kept] the slide's text, left as recorded for want of a better one
 */

/** The app's usual address in the decks: any loopback name, port 3000, scheme or not. */
const appAddress = /(?<![\w.-])(127\.0\.0\.1|localhost|\[::1\]):3000(?!\d)/g;

/**
 * `redis-cli` where a command starts (after `;`, `|`, `&&`, `(` or `do`/`then`),
 * unless it already says where Redis is (`-p`, `-h`, `-u`, `-s`, `--tls`).
 */
const redisCliAt = /(^|[;&|(]\s*|\b(?:do|then|else|time)\s+)redis-cli(?=\s|$)(?!\s+(?:-[phus]\b|--tls\b))/g;

/** An express-session key as recorded (`sess:` and a 32-character id). */
const recordedSession = /(?<![\w:-])sess:[\w-]{16,}(?![\w-])/g;

/** Quotes for a POSIX shell, as the inspector's command lines do (runner/server/inspector.ts shellQuote). */
export function shellQuote(s) {
  return /^[\w:.\-/@%+=]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6` → `sess:6csEnP7-…`, for a tooltip. */
const short = (key) => (key.length > 16 ? `${key.slice(0, 12)}…` : key);

/**
 * The parts of one command line after rewriting for `facts`; their texts
 * joined are the command to run here. A fact not known (Redis not started
 * yet) leaves that part as the slide has it.
 * @param {string} command a command as the slide shows it, without its prompt
 * @param {RunnerFacts} facts
 * @returns {CommandPart[]}
 */
export function rewriteCommand(command, facts) {
  /** @type {{ at: number, length: number, part: CommandPart }[]} */
  const found = [];
  if (facts.appUrl) {
    const app = new URL(facts.appUrl);
    for (const m of command.matchAll(appAddress)) {
      if (m[0] === app.host) continue;
      const why = m[1] === app.hostname ? `port 3000 → ${app.port}` : `${m[0]} → ${app.host}`;
      found.push({ at: m.index, length: m[0].length, part: { text: app.host, was: m[0], why } });
    }
  }
  if (facts.redisCli && facts.redisCli !== 'redis-cli') {
    const hidden = facts.redisCli.includes(':****@') ? ' (its password is hidden: type it in place of ****)' : '';
    for (const m of command.matchAll(redisCliAt)) {
      const at = m.index + m[1].length;
      found.push({ at, length: 'redis-cli'.length, part: { text: facts.redisCli, was: 'redis-cli', why: `Redis: redis-cli → ${facts.redisCli}${hidden}` } });
    }
  }
  for (const m of command.matchAll(recordedSession)) {
    const part = facts.sessionKey
      ? m[0] === facts.sessionKey
        ? undefined
        : { text: shellQuote(facts.sessionKey), was: m[0], why: `session ${short(m[0])} → ${short(facts.sessionKey)}, the newest in your Redis` }
      : { text: m[0], kept: true, why: 'no session in your Redis yet: this id is from the recording. Open your app, and its session shows here.' };
    if (part) found.push({ at: m.index, length: m[0].length, part });
  }
  found.sort((a, b) => a.at - b.at);
  /** @type {CommandPart[]} */
  const parts = [];
  let from = 0;
  for (const f of found) {
    if (f.at < from) continue; // overlapping matches: the first one wins
    if (f.at > from) parts.push({ text: command.slice(from, f.at) });
    parts.push(f.part);
    from = f.at + f.length;
  }
  if (from < command.length || !parts.length) parts.push({ text: command.slice(from) });
  return parts;
}

/** The command the parts make: what the copy button copies. */
export const commandText = (parts) => parts.map((p) => p.text).join('');

/** True when a part differs from the slide (or is kept with a reason to say). */
export const isMarked = (part) => part.was !== undefined || part.kept === true;

/**
 * The session the slides should name: the one touched last (express-session
 * renews the TTL on each request, so the highest TTL is the newest). A key
 * that never expires (-1) is not the app's current session.
 * @param {{ key: string, ttl: number }[] | undefined} sessions the inspector's snapshot's
 * @returns {string | undefined}
 */
export function newestSession(sessions) {
  let best;
  for (const s of sessions ?? []) if (s.ttl >= 0 && (!best || s.ttl > best.ttl || (s.ttl === best.ttl && s.key > best.key))) best = s;
  return best?.key ?? sessions?.[0]?.key;
}

/**
 * The runner's redis-cli as a learner would rather type it: `-u` only for a URL
 * that needs it (a password, TLS, a database, another host); `redis-cli -u
 * redis://127.0.0.1:6420` is `redis-cli -p 6420`, and on 6379 just `redis-cli`.
 * @param {string | undefined} cli the runner's (GET /api/state → redis.cli)
 */
export function shortCli(cli) {
  const m = /^redis-cli -u (redis:\/\/(?:127\.0\.0\.1|localhost)(?::(\d+))?\/?(?:0)?)$/.exec(cli ?? '');
  if (!m) return cli;
  const port = m[2] ?? '6379';
  return port === '6379' ? 'redis-cli' : `redis-cli -p ${port}`;
}

/**
 * The learner's app address and Redis from GET /api/state (or a 'state' event).
 * @param {{ apps?: { id: string, url: string }[], redis?: { cli?: string } }} state
 * @returns {RunnerFacts}
 */
export function factsOfState(state) {
  return { appUrl: state.apps?.find((a) => a.id === 'workspace')?.url, redisCli: shortCli(state.redis?.cli) };
}
