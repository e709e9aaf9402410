// What happened to the sessions, not only what is there: the inspector's
// event lines ("login (ada): new session id sess:AbC…, old record sess:XyZ…
// deleted"), derived from two passes of the inspector, one after the other.
//
// The runner does not subscribe to keyspace notifications (that needs
// `notify-keyspace-events`, off by default, changed on a Redis that may not
// be the workshop's); it polls (inspector.ts, every 400 ms). A key gone
// between two passes was removed by a command (DEL, as connect-redis's
// destroy() and express-session's regenerate() do) or by Redis when its TTL
// ran out. Redis never expires a key before its TTL: a key gone while the
// last pass gave it more than a second to live was deleted; one gone once its
// TTL could have run out is said to have expired.
//
// Pure: the passes in, the lines out. `EventLog` keeps the last pass and the
// last lines between calls.

/** A piece of an event line: text, or a Redis key (shown as a key, never as markup). */
export type EventPart = string | { key: string };

/**
 * login: a user's new session (its old record deleted, if any); login-kept:
 * a user now on a session that kept its id (not regenerated); logout: a
 * user's record deleted; logout-kept: the user taken off a record that
 * stays; revoked: a user's record deleted while another of theirs stays;
 * expired; deleted: a record of no user deleted; new: an anonymous session.
 */
export type EventKind = 'login' | 'login-kept' | 'logout' | 'logout-kept' | 'revoked' | 'expired' | 'deleted' | 'new';

export interface InspectorEvent {
  /** Increases with each line: the page keeps a line's element while its id is the same. */
  id: number;
  /** When the pass that saw it started (ms since the epoch): it happened between then and the pass before. */
  at: number;
  kind: EventKind;
  /** The user the line is about (the one logging in, out, or whose session went). */
  user?: string;
  parts: EventPart[];
  /** The session keys it names, newest first (for tests and the page's data-keys). */
  keys: string[];
  /** The indexes of sessions (devices:ada) whose entry for them went in the same pass. */
  indexes?: string[];
}

/** What a pass saw of a session. */
export interface SessionSight {
  key: string;
  user?: string;
  /** Seconds left when read (rounded up); -1: no expiry. */
  ttl: number;
}

/** What a pass saw of an index of sessions (devices:ada): the sessions it names. */
export interface IndexSight {
  key: string;
  sessions: string[];
}

/** One inspector pass, as far as events go. */
export interface Pass {
  /** When it started, ms since the epoch. */
  at: number;
  sessions: SessionSight[];
  indexes?: IndexSight[];
}

export interface Gone extends SessionSight {
  cause: 'deleted' | 'expired';
}

/** What changed between two passes, session by session. */
export interface SessionChanges {
  appeared: SessionSight[];
  gone: Gone[];
  /** The same key, another user on it (or none now, or one now). */
  relabelled: { key: string; from?: string; to?: string }[];
}

/**
 * Deleted or expired: a key Redis still had to keep past `now` (its TTL,
 * read at `readAt` at the latest, rounded up to the second) was deleted.
 */
export function goneCause(s: SessionSight, readAt: number, now: number): Gone['cause'] {
  if (s.ttl < 0) return 'deleted';
  return now < readAt + (s.ttl - 1) * 1000 ? 'deleted' : 'expired';
}

export function sessionChanges(prev: Pass, next: Pass): SessionChanges {
  const before = new Map(prev.sessions.map((s) => [s.key, s]));
  const after = new Map(next.sessions.map((s) => [s.key, s]));
  const appeared = next.sessions.filter((s) => !before.has(s.key));
  const gone = prev.sessions.filter((s) => !after.has(s.key)).map((s): Gone => ({ ...s, cause: goneCause(s, prev.at, next.at) }));
  const relabelled = next.sessions.flatMap((s) => {
    const was = before.get(s.key);
    return was && was.user !== s.user ? [{ key: s.key, from: was.user, to: s.user }] : [];
  });
  return { appeared, gone, relabelled };
}

/** An event before it has its id and time. */
export type Line = Omit<InspectorEvent, 'id' | 'at'>;

const key = (k: string) => ({ key: k });

/** The indexes that named `session` in `prev` and no longer do in `next` (devices:ada after a revoke). */
function leftIndexes(session: string, prev: Pass, next: Pass): string[] {
  const now = new Map((next.indexes ?? []).map((x) => [x.key, new Set(x.sessions)]));
  return (prev.indexes ?? []).filter((x) => x.sessions.includes(session) && !now.get(x.key)?.has(session)).map((x) => x.key);
}

/** `, removed from devices:ada` when a session's entry left an index in the same pass. */
function indexParts(indexes: string[]): EventPart[] {
  return indexes.flatMap((x, i) => [i ? ', ' : ', removed from ', key(x)]);
}

/** No `indexes` field when there are none (the line is JSON to the page). */
const withIndexes = (indexes: string[]) => (indexes.length ? { indexes } : {});

/** `sess:a…, sess:b…` */
function keyList(keys: string[]): EventPart[] {
  return keys.flatMap((k, i) => (i ? [', ', key(k)] : [key(k)]));
}

/**
 * The lines for what changed between two passes, newest first as the page
 * lists them (within a pass: what the request ended with first). A login
 * pairs a user's new session with a record deleted in the same pass
 * (regenerate: DEL the old id, then SET the new one); a user's record deleted
 * while an anonymous session appears is a logout (the home page after it
 * made a new one); deleted while another session of the same user stays,
 * a revoke of that other device.
 */
export function eventLines(prev: Pass, next: Pass): Line[] {
  const { appeared, gone, relabelled } = sessionChanges(prev, next);
  const lines: Line[] = [];
  const deleted = gone.filter((g) => g.cause === 'deleted');
  const paired = new Set<string>();
  const newUsers = appeared.filter((s) => s.user !== undefined);
  const newAnonymous = appeared.filter((s) => s.user === undefined);

  for (const s of newUsers) {
    // The record regenerate() deleted: an anonymous one first (the visitor before logging in), else another.
    const old = deleted.find((g) => !paired.has(g.key) && g.user === undefined) ?? deleted.find((g) => !paired.has(g.key));
    if (old) paired.add(old.key);
    lines.push(loginLine(s.user, s.key, old));
  }
  for (const r of relabelled) {
    if (r.to !== undefined) {
      const was = r.from !== undefined ? `, was ${r.from}'s` : '';
      lines.push({ kind: 'login-kept', user: r.to, keys: [r.key], parts: [`login (${r.to}): same session id `, key(r.key), ` kept (not regenerated${was})`] });
    } else {
      lines.push({ kind: 'logout-kept', user: r.from, keys: [r.key], parts: [`logout (${r.from}): user removed, record `, key(r.key), ' kept'] });
    }
  }
  for (const s of newAnonymous) lines.push({ kind: 'new', keys: [s.key], parts: ['new anonymous session ', key(s.key)] });

  const stays = new Set(next.sessions.filter((s) => prev.sessions.some((p) => p.key === s.key)).map((s) => s.user));
  const revoked = new Map<string, Gone[]>();
  for (const g of deleted) {
    if (paired.has(g.key)) continue;
    if (g.user === undefined) {
      const indexes = leftIndexes(g.key, prev, next);
      lines.push({ kind: 'deleted', keys: [g.key], ...withIndexes(indexes), parts: ['deleted: ', key(g.key), ' (no user)', ...indexParts(indexes)] });
    } else if (!newAnonymous.length && stays.has(g.user)) {
      revoked.set(g.user, [...(revoked.get(g.user) ?? []), g]);
    } else {
      lines.push(logoutLine(g.user, g.key, leftIndexes(g.key, prev, next)));
    }
  }
  for (const [user, sessions] of revoked) {
    const keys = sessions.map((g) => g.key);
    const indexes = [...new Set(keys.flatMap((k) => leftIndexes(k, prev, next)))];
    const devices = sessions.length === 1 ? 'other device' : 'other devices';
    lines.push({ kind: 'revoked', user, keys, ...withIndexes(indexes), parts: ['revoked: ', ...keyList(keys), ` (${user}'s ${devices})`, ...indexParts(indexes)] });
  }
  for (const g of gone.filter((x) => x.cause === 'expired')) {
    lines.push({ kind: 'expired', ...(g.user !== undefined ? { user: g.user } : {}), keys: [g.key], parts: ['expired: ', key(g.key), ...(g.user !== undefined ? [` (${g.user})`] : [])] });
  }
  return lines.map(withUser);
}

/** A login line: its new session, and the old record deleted if any. */
function loginLine(user: string | undefined, session: string, old?: { key: string; user?: string }): Line {
  if (!old) return { kind: 'login', user, keys: [session], parts: [`login (${user}): new session `, key(session)] };
  const whose = old.user !== undefined ? ` (${old.user}'s)` : '';
  return { kind: 'login', user, keys: [session, old.key], parts: [`login (${user}): new session id `, key(session), ', old record ', key(old.key), `${whose} deleted`] };
}

/** A logout line: the user's record deleted, and the indexes its entry left. */
function logoutLine(user: string | undefined, session: string, indexes: string[]): Line {
  return { kind: 'logout', user, keys: [session], ...withIndexes(indexes), parts: [`logout (${user}): record `, key(session), ' deleted', ...indexParts(indexes)] };
}

/**
 * What a request did can fall either side of a pass: these lines of the pass
 * just before (`last`, those at `lastPassAt`) are read again with this pass's
 * (`fresh`). regenerate()'s DEL a pass before its new record's SET: the
 * deleted line (a record of no user, or a lone logout) joins the login. A
 * logout's DEL a pass before the anonymous session the home page then makes:
 * the user's other session staying made it look like a revoke; it was the
 * logout. Returns the lines of this pass and the line of the last to drop,
 * or to replace.
 */
export function joinSplitRequest(fresh: Line[], last: InspectorEvent[], lastPassAt: number): { fresh: Line[]; drop?: number } {
  const before = last.filter((e) => e.at === lastPassAt);
  const login = fresh.findIndex((l) => l.kind === 'login' && l.keys.length === 1);
  const old = before.find((e) => (e.kind === 'deleted' || e.kind === 'logout') && e.keys.length === 1);
  if (login >= 0 && old) {
    const l = fresh[login]!;
    const joined = loginLine(l.user, l.keys[0]!, { key: old.keys[0]!, ...(old.user !== undefined ? { user: old.user } : {}) });
    return { fresh: fresh.map((x, i) => (i === login ? withUser(joined) : x)), drop: old.id };
  }
  const anonymous = fresh.some((l) => l.kind === 'new');
  const revoked = before.find((e) => e.kind === 'revoked' && e.keys.length === 1);
  if (anonymous && revoked && !fresh.some((l) => l.kind === 'revoked' || l.kind === 'logout')) {
    return { fresh: [...fresh, withUser(logoutLine(revoked.user, revoked.keys[0]!, revoked.indexes ?? []))], drop: revoked.id };
  }
  return { fresh };
}

/** No `user` field when there is none (the line is JSON to the page). */
function withUser(l: Line): Line {
  if (l.user !== undefined) return l;
  const { user: _, ...rest } = l;
  return rest;
}

/** How many lines the inspector keeps: the page shows them all. */
export const maxEvents = 8;

/**
 * The lines so far and the last pass, between passes. `observe` takes each
 * pass; a pass that could not see every session (Redis down, too many keys)
 * makes no lines, and the next one is compared with nothing: a restart of
 * Redis without its data is not a hundred deletions.
 */
export class EventLog {
  private last: Pass | undefined;
  private nextId = 1;
  events: InspectorEvent[] = [];

  observe(pass: Pass | undefined): InspectorEvent[] {
    const prev = this.last;
    this.last = pass;
    if (!prev || !pass) return this.events;
    const { fresh, drop } = joinSplitRequest(eventLines(prev, pass), this.events, prev.at);
    if (!fresh.length) return this.events;
    const kept = drop === undefined ? this.events : this.events.filter((e) => e.id !== drop);
    // Within a pass the lines are already newest first; ids count up as they are listed, oldest first.
    const stamped = fresh.map((l, i) => ({ id: this.nextId + fresh.length - 1 - i, at: pass.at, ...l }));
    this.nextId += fresh.length;
    this.events = [...stamped, ...kept].slice(0, maxEvents);
    return this.events;
  }

  /** Nobody watched for a while: what changed meanwhile is not news, nor timed right. */
  forgetPass(): void {
    this.last = undefined;
  }
}
