// Step 5's observations, each made once per run: ada's devices and grace's,
// each a visitor with a User-Agent of its own, the index of each user's
// sessions (found by what a login adds in Redis), the account page as one
// device sees it, and the devices logged out, each by the clause it proves.
//
// Ordering. Step 4 locks ada out on purpose (five failures after her login,
// then her right password refused): no login of hers can come after it. So
// her devices log in before step 4's login, which waits for them
// (beforeAdaLogin), and after every other request of step 4 that names her
// (so what Redis gains meanwhile is theirs), four at once (an app that
// counts every attempt before checking the password refuses a sixth).
// grace logs in next, beside step 4's login: nothing of step 4 names her.
// Then ada's phone reads the account page while Redis is watched (MONITOR)
// for KEYS and SCAN, and the clauses that log devices out go, each judging
// the entries of its own devices (step 4's sessions of ada come and go
// meanwhile): revoking the Android phone, an unknown handle, the sessions
// that end behind the app's back, at once; then the posts from another
// site. grace's logout and self-revoke go in turn on her own index, which
// nothing else touches; then ada's phone tries grace's handle. "Everywhere
// else" comes last, once step 4 is done with ada's sessions.
//
//   ada's phone    the device of her account page; revokes, logs out everywhere else
//   ada's android  revoked by her phone                      (step5.revoke)
//   ada's laptop   there until "everywhere else"             (step5.revoke-others, step5.cross-site)
//   ada's script   a User-Agent with <script>; then expires  (step5.ua-escaped, step5.ended-dropped)
//   step 4's victim, ada's too: its record deleted           (step5.ended-dropped)
//   grace's pc     whose handle ada tries                    (step5.revoke-other-user)
//   grace's phone  reads the handles of grace's devices
//   grace's tablet revokes its own handle                    (step5.revoke-self)
//   grace's laptop logs out                                  (step5.logout-index)
import { randomBytes } from 'node:crypto';
import { CannotCheck, cookieHeader, formsOf, isSigned, pageText, unsignedValue, type FormFields, type HeldVisitor, type Page, type RunningApp, type VerifyContext, type Visitor } from 'workshop-runner';
import { ready } from './probes.ts';
import { account, adaWrong, beforeAdaLogin, logout as step4Logout, USER } from './step4-probes.ts';
import { adaBodies, CROSS_SITE, crossSiteLogin, loginCsrf, submitLogin, victim, withoutTimes, type CrossSiteAttempt, type CrossSiteObservation } from './step4-attacks.ts';

export const GRACE = { username: 'grace', password: 'hopper' };

export interface DeviceSpec {
  /** How messages name it: "ada's iPhone". */
  label: string;
  userAgent: string;
}

export const ADA_DEVICES = {
  phone: { label: "ada's iPhone", userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' },
  android: { label: "ada's Android phone", userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36' },
  laptop: { label: "ada's Linux laptop", userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' },
  script: { label: "ada's Windows PC (its User-Agent holds a <script>)", userAgent: 'Mozilla/5.0 <script>alert("devices")</script> (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/126.0' },
} as const satisfies Record<string, DeviceSpec>;
export type AdaDevice = keyof typeof ADA_DEVICES;
/** ada's devices whose User-Agent is plain text: each must be listed as it is. */
export const PLAIN: readonly AdaDevice[] = ['phone', 'android', 'laptop'];

export const GRACE_DEVICES = {
  pc: { label: "grace's Windows PC", userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80' },
  phone: { label: "grace's Samsung phone", userAgent: 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36' },
  tablet: { label: "grace's iPad", userAgent: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' },
  laptop: { label: "grace's Mac", userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15' },
} as const satisfies Record<string, DeviceSpec>;
export type GraceDevice = keyof typeof GRACE_DEVICES;

/** What a list must show of a User-Agent at least: its first 60 characters. */
export const shown = (userAgent: string) => userAgent.slice(0, 60);

/** A session as a device holds it: the session id in its cookie, and its record's key. */
export interface DeviceSession {
  id: string;
  key: string;
  /** The cookie's value as the browser sends it (signed: `s:<id>.<signature>`). */
  cookieValue: string;
}

export interface Device extends DeviceSpec {
  user: string;
  visitor: Visitor;
  /** POST /login's answer. */
  login: Page;
  session?: DeviceSession;
}

/** Logged in as `name`, by what /account shows. */
export const shows = (page: Page, name: string) => page.status === 200 && new RegExp(`\\b${name}\\b`).test(pageText(page.body));

/** The sessions of `devices` in Redis: a signed cookie whose id ends one of the keys, read once for all. */
async function sessionsOf(ctx: VerifyContext, app: RunningApp, devices: Device[]): Promise<void> {
  const keys = (await ctx.redis?.keys()) ?? [];
  await Promise.all(
    devices.map(async (device) => {
      device.session = undefined;
      for (const c of await device.visitor.cookies(app.base)) {
        const value = decodeURIComponent(c.value);
        const id = isSigned(value) ? unsignedValue(value) : undefined;
        const key = id && keys.find((k) => k.endsWith(id));
        if (id && key) device.session = { id, key, cookieValue: c.value };
      }
    }),
  );
}

async function logIn(ctx: VerifyContext, app: RunningApp, user: { username: string; password: string }, spec: DeviceSpec): Promise<Device> {
  const visitor = ctx.visitor({ userAgent: spec.userAgent });
  const login = await submitLogin(ctx, visitor, app, user);
  return { ...spec, user: user.username, visitor, login };
}

/** A device held by its Cookie header as it is now (for requests no jar must keep the answer of), with its User-Agent. */
export async function held(device: Device, app: RunningApp): Promise<HeldVisitor> {
  return { cookie: cookieHeader(await device.visitor.cookies(app.base)), userAgent: device.userAgent };
}

// --- Redis: the index, found by what a login adds.

export type CollectionType = 'set' | 'zset' | 'hash' | 'list';

/** One entry of a collection: `id` names it (a member, a field, a list item and its rank among equals), `text` is all of it (a field with its value). */
export interface Entry {
  id: string;
  text: string;
}

export interface Collection {
  key: string;
  type: CollectionType;
  entries: Entry[];
}

const COLLECTIONS: readonly string[] = ['set', 'zset', 'hash', 'list'];

/** A set, sorted set, hash or list as its entries; undefined when there is no such key (or it is of another type). */
export async function readCollection(ctx: VerifyContext, key: string, known?: CollectionType): Promise<Collection | undefined> {
  const redis = ctx.redis;
  if (!redis) return undefined;
  const type = known ?? String(await redis.command('TYPE', key));
  const strings = async (...args: (string | number)[]) => ((await redis.command(...args)) as string[] | null) ?? [];
  let entries: Entry[];
  switch (type) {
    case 'set':
      entries = (await strings('SMEMBERS', key)).map((m) => ({ id: m, text: m }));
      break;
    case 'zset':
      entries = (await strings('ZRANGE', key, 0, -1)).map((m) => ({ id: m, text: m }));
      break;
    case 'hash': {
      const flat = await strings('HGETALL', key);
      entries = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i]!, text: `${flat[i]}\n${flat[i + 1]}` });
      break;
    }
    case 'list': {
      const seen = new Map<string, number>();
      entries = (await strings('LRANGE', key, 0, -1)).map((v) => {
        const n = (seen.get(v) ?? 0) + 1;
        seen.set(v, n);
        return { id: `${v}\u0000${n}`, text: v };
      });
      break;
    }
    default:
      return undefined;
  }
  // A key that expired or was deleted between TYPE and the read reads as empty: as good as gone.
  if (!entries.length && known) return (await redis.command('EXISTS', key)) ? { key, type: known, entries } : undefined;
  return { key, type: type as CollectionType, entries };
}

/** Every set, sorted set, hash and list of the run's Redis. */
async function collections(ctx: VerifyContext): Promise<Map<string, Collection>> {
  const redis = ctx.redis;
  const found = new Map<string, Collection>();
  if (!redis) return found;
  const keys = await redis.keys();
  const types = await Promise.all(keys.map((k) => redis.command('TYPE', k)));
  const read = await Promise.all(keys.map((k, i) => (COLLECTIONS.includes(String(types[i])) ? readCollection(ctx, k, String(types[i]) as CollectionType) : undefined)));
  for (const c of read) if (c) found.set(c.key, c);
  return found;
}

/** The entries of `after` that `before` did not have. */
export function added(before: Collection | undefined, after: Collection | undefined): Entry[] {
  const had = new Set(before?.entries.map((e) => e.id) ?? []);
  return after?.entries.filter((e) => !had.has(e.id)) ?? [];
}

/** The entries of `before` that `after` no longer has. */
export function removed(before: Collection | undefined, after: Collection | undefined): Entry[] {
  return added(after, before);
}

export interface IndexFound {
  key: string;
  type: CollectionType;
  /** Entries the logins added. */
  added: number;
}

/**
 * The key that gained one entry per login of `user` (`logins` of them)
 * between two snapshots: the index. Among several, one whose name holds the
 * user's name, then the one that gained the most (a log of every login
 * kept beside it gains as many, and is not the one the app reads to list).
 */
export function findIndex(before: Map<string, Collection>, after: Map<string, Collection>, user: string, logins: number, not?: string): IndexFound | undefined {
  const grown = [...after.values()]
    .filter((c) => c.key !== not)
    .map((c) => ({ key: c.key, type: c.type, added: added(before.get(c.key), c).length }))
    .filter((c) => c.added > 0);
  const score = (c: IndexFound) => (c.added === logins ? 4 : 0) + (c.key.toLowerCase().includes(user) ? 2 : 0);
  grown.sort((a, b) => score(b) - score(a) || Math.abs(a.added - logins) - Math.abs(b.added - logins) || a.key.localeCompare(b.key));
  return grown[0];
}

/** The entry of a session in an index: the one that names its id or its handle (long enough not to be found by chance, or the entry's whole name). */
export function entryOf(entries: readonly Entry[], session: DeviceSession | undefined, handle: string | undefined): Entry | undefined {
  const names = (text: string, what: string | undefined) => !!what && (text === what || (what.length >= 8 && text.includes(what)));
  return entries.find((e) => names(e.text, session?.id) || names(e.id, handle) || names(e.text, handle) || e.text.split('\n').includes(handle ?? '\u0000'));
}

/** A key's TTL (undefined when there is no such key). */
const ttl = async (ctx: VerifyContext, key: string) => ctx.redis?.ttl(key);
const exists = async (ctx: VerifyContext, key: string) => Number(await ctx.redis?.command('EXISTS', key)) > 0;

// --- The devices.

export interface TtlObservation {
  /** The index's TTL: -1 when it never expires. */
  index: number | undefined;
  /** The longest TTL of the user's sessions that logged in, and whose. */
  longest?: { ttl: number; label: string };
  /** Seconds that may separate the two without blame: the time the logins took. */
  slackSeconds: number;
}

export interface AdaDevices {
  app: RunningApp;
  devices: Record<AdaDevice, Device>;
  /** The devices whose login did not redirect (a 4xx or 5xx): they are not logged in. */
  refused: AdaDevice[];
  index?: IndexFound;
  /** Every key that gained an entry meanwhile, for the message when none is the index. */
  grown: string[];
  ttl?: TtlObservation;
}

const isRedirect = (page: Page) => page.status === 302 || page.status === 303;

/** TTLs of an index and of the sessions of `devices`, read at once. */
async function ttls(ctx: VerifyContext, index: IndexFound | undefined, devices: Device[], startedMs: number): Promise<TtlObservation | undefined> {
  if (!index) return undefined;
  const [indexTtl, ...sessions] = await Promise.all([ttl(ctx, index.key), ...devices.map((d) => (d.session ? ttl(ctx, d.session.key) : undefined))]);
  let longest: TtlObservation['longest'];
  sessions.forEach((t, i) => {
    if (t !== undefined && t >= 0 && (!longest || t > longest.ttl)) longest = { ttl: t, label: devices[i]!.label };
  });
  return { index: indexTtl, longest, slackSeconds: Math.ceil((performance.now() - startedMs) / 1000) + 5 };
}

/**
 * ada logs in on each of her devices, at once, once every request of step 4
 * that names her is answered (so what Redis gains meanwhile is theirs), and
 * before step 4's own login (see the top of this file).
 */
export function adaDevices(ctx: VerifyContext): Promise<AdaDevices> {
  return ctx.once('step5:ada-devices', async () => {
    const app = await ready(ctx);
    await Promise.all([adaWrong(ctx), loginCsrf(ctx), adaBodies(ctx), victim(ctx)].map((p) => p.catch(() => {})));
    const before = await collections(ctx);
    const started = performance.now();
    const names = Object.keys(ADA_DEVICES) as AdaDevice[];
    // All four at once: with step 4's one wrong password of hers, an app that
    // counts every attempt before checking the password counts five.
    const list = await Promise.all(names.map((name) => logIn(ctx, app, USER, ADA_DEVICES[name])));
    const after = await collections(ctx);
    await sessionsOf(ctx, app, list);
    const devices = Object.fromEntries(names.map((name, i) => [name, list[i]!])) as Record<AdaDevice, Device>;
    const refused = names.filter((n) => !isRedirect(devices[n].login));
    const index = findIndex(before, after, USER.username, names.length - refused.length);
    const grown = [...after.values()].filter((c) => added(before.get(c.key), c).length > 0).map((c) => c.key);
    return { app, devices, refused, index, grown, ttl: await ttls(ctx, index, list, started) };
  });
}

export interface GraceDevices {
  app: RunningApp;
  devices: Record<GraceDevice, Device>;
  index?: IndexFound;
  /** GET /account on her pc, and on her phone. */
  pcAccount: Page;
  phoneAccount: Page;
  /** Her devices' handles, read on her phone's account page. */
  handles: Partial<Record<GraceDevice, string>>;
  fields: FormFields;
  ttl?: TtlObservation;
}

/**
 * grace logs in on her devices once ada's are (so what each user's logins
 * add is told apart), her pc and her phone read /account, and her phone's
 * page gives her devices' handles.
 */
export function graceDevices(ctx: VerifyContext): Promise<GraceDevices> {
  return ctx.once('step5:grace', async () => {
    const ada = await adaDevices(ctx).catch(() => undefined);
    const app = await ready(ctx);
    const before = await collections(ctx);
    const started = performance.now();
    const names = Object.keys(GRACE_DEVICES) as GraceDevice[];
    const list = await Promise.all(names.map((name) => logIn(ctx, app, GRACE, GRACE_DEVICES[name])));
    const after = await collections(ctx);
    await sessionsOf(ctx, app, list);
    const devices = Object.fromEntries(names.map((name, i) => [name, list[i]!])) as Record<GraceDevice, Device>;
    const logins = list.filter((d) => isRedirect(d.login)).length;
    // Not ada's: step 4's login of hers may add to it meanwhile.
    const index = logins ? findIndex(before, after, GRACE.username, logins, ada?.index?.key) : undefined;
    const [pcAccount, phoneAccount] = await Promise.all([ctx.visit(devices.pc.visitor, app, '/account'), ctx.visit(devices.phone.visitor, app, '/account')]);
    const entries = listing(phoneAccount.body);
    const handles: Partial<Record<GraceDevice, string>> = {};
    for (const name of names) {
      const handle = entriesShowing(entries, shown(devices[name].userAgent))[0]?.handle;
      if (handle) handles[name] = handle;
    }
    return { app, devices, index, pcAccount, phoneAccount, handles, fields: sessionFormFields(phoneAccount.body), ttl: await ttls(ctx, index, list, started) };
  });
}

// --- The account page, as a device reads it.

export interface ListEntry {
  /** The <li> or <tr>, markup and all. */
  html: string;
  /** Its text. */
  text: string;
  /** Its text outside its forms and buttons. */
  ownText: string;
  /** The handle of its form that posts to /sessions/<handle>/revoke, if it has one. */
  handle?: string;
  /** The datetime of each of its <time> elements. */
  times: string[];
}

/** The <li> and <tr> elements of a page, each with its markup (nested ones too: an element holds its children's). */
export function listItems(html: string): string[] {
  const items: string[] = [];
  const open: { tag: string; start: number }[] = [];
  const close = (to: number, end: number) => {
    while (open.length > to) {
      const e = open.pop()!;
      if (e.tag === 'li' || e.tag === 'tr') items.push(html.slice(e.start, end));
    }
  };
  const tags = /<(\/?)(li|tr|ul|ol|table|menu)\b[^>]*>|<!--[\s\S]*?-->|<(script|style)\b[\s\S]*?<\/\3\s*>/gi;
  for (let m: RegExpExecArray | null; (m = tags.exec(html)); ) {
    const tag = m[2]?.toLowerCase();
    if (!tag) continue; // a comment, a script or a style: no list in there
    if (m[1]) {
      // A closing tag ends everything opened since its own opening (an end tag left out).
      const at = open.map((e) => e.tag).lastIndexOf(tag);
      if (at >= 0) close(at, m.index + m[0].length);
    } else {
      // An <li> or <tr> opened right inside another ends it, as a browser reads HTML.
      const top = open[open.length - 1];
      if (top && top.tag === tag && (tag === 'li' || tag === 'tr')) close(open.length - 1, m.index);
      open.push({ tag, start: m.index });
    }
  }
  close(0, html.length);
  return items;
}

const revokePath = /^\/sessions\/([^/]+)\/revoke\/?$/;

/** The path a form posts to, on the account page. */
const actionPath = (action: string) => {
  try {
    return new URL(action, 'http://app.invalid/account').pathname;
  } catch {
    return '';
  }
};

/** The handle a form posts to revoke (`/sessions/<handle>/revoke`), decoded. */
export function handleOf(html: string): string | undefined {
  for (const form of formsOf(html)) {
    const m = form.method === 'POST' ? revokePath.exec(actionPath(form.action)) : null;
    if (m) {
      try {
        return decodeURIComponent(m[1]!);
      } catch {
        return m[1];
      }
    }
  }
  return undefined;
}

/** Whether the page has a form that posts to /sessions/revoke-others. */
export function hasRevokeOthers(html: string): boolean {
  return formsOf(html).some((f) => f.method === 'POST' && /^\/sessions\/revoke-others\/?$/.test(actionPath(f.action)));
}

/** The hidden fields of the page's forms that post to /sessions/… (a CSRF token): a browser sends them with the form. */
export function sessionFormFields(html: string): FormFields {
  const form = formsOf(html).find((f) => f.method === 'POST' && actionPath(f.action).startsWith('/sessions/'));
  return form?.hidden ?? {};
}

const withoutForms = (html: string) => html.replace(/<form\b[\s\S]*?<\/form\s*>/gi, ' ').replace(/<button\b[\s\S]*?<\/button\s*>/gi, ' ');

/** The entries (<li>, <tr>) of an account page, innermost first: an entry holding another is listed after it. */
export function listing(html: string): ListEntry[] {
  return listItems(html)
    .sort((a, b) => a.length - b.length)
    .map((item) => ({
      html: item,
      text: pageText(item),
      ownText: pageText(withoutForms(item)),
      handle: handleOf(item),
      times: [...item.matchAll(/<time\b[^>]*?\bdatetime\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => (m[1] ?? m[2] ?? m[3] ?? '').trim()),
    }));
}

/** The innermost entries that show `text`. */
export const entriesShowing = (entries: readonly ListEntry[], text: string) => {
  const all = entries.filter((e) => e.text.includes(text));
  return all.filter((e) => !all.some((o) => o !== e && e.html.includes(o.html)));
};

/** ISO 8601 date and time, as `<time datetime>` holds it: `2026-12-06T10:01:02.345Z`, an offset, or local time. */
export const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

// --- Watching Redis: the commands the app sends while a request is answered.

export interface Watched<T> {
  result: T;
  /** KEYS and SCAN the app sent meanwhile, as MONITOR prints them. */
  walks: string[];
}

/**
 * Runs `during` while the run's Redis is watched (MONITOR, on a connection
 * of its own), and returns the KEYS and SCAN that any other client (the app,
 * or a Lua script) sent on the run's database meanwhile. Ours (the checks'
 * own SCAN, to list keys) are told apart by their address. Rejects when
 * MONITOR is refused.
 */
export async function watchWalks<T>(ctx: VerifyContext, during: () => Promise<T>): Promise<Watched<T>> {
  const redis = ctx.redis;
  if (!redis) throw new Error('this step has no Redis');
  const db = Number(new URL(redis.url).pathname.slice(1) || 0);
  const ownId = String(await redis.command('CLIENT', 'ID'));
  const ownAddr = /\baddr=(\S+)/.exec(String(await redis.command('CLIENT', 'LIST')).split('\n').find((l) => new RegExp(`\\bid=${ownId}\\b`).test(l)) ?? '')?.[1];
  // Redis prints what it runs in order: once our marker is printed, everything the app sent before it is too.
  const marker = `workshop-watch-${randomBytes(6).toString('hex')}`;
  const lines: string[] = [];
  let markerSeen = () => {};
  const printed = new Promise<void>((resolve) => (markerSeen = resolve));
  const stop = await redis.monitor((line) => {
    lines.push(line);
    if (line.includes(marker)) markerSeen();
  });
  try {
    const result = await during();
    await redis.command('ECHO', marker);
    // As long as a request may take: on a busy machine, Redis answers late too.
    const ms = Math.max(3000, ctx.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([printed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`MONITOR did not print ECHO within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
    const walks = lines
      .map((line) => /^\+?[\d.]+ \[(\d+) ([^\]]*)\] "((?:[^"\\]|\\.)*)"(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => !!m && Number(m[1]) === db && m[2] !== ownAddr && /^(?:keys|scan)$/i.test(m[3]!))
      .map((m) => `${m[3]!.toUpperCase()}${m[4]!.replace(/"/g, '').slice(0, 80)}`);
    return { result, walks };
  } finally {
    stop();
  }
}

// --- The account page of ada's phone.

export interface AccountListing {
  page: Page;
  entries: ListEntry[];
  /** KEYS and SCAN sent while the page was answered; or why Redis could not be watched. */
  walks?: string[];
  watchError?: string;
  /** Each device's handle, read in its entry's revoke form. */
  handles: Partial<Record<AdaDevice, string>>;
  /** Hidden fields the page's /sessions/ forms carry (a CSRF token). */
  fields: FormFields;
  /** Every session id in Redis when the page was answered, and the devices' cookies: none may show on it. */
  secrets: { what: string; value: string }[];
}

/** The session ids in Redis (keys with the prefix of `session`'s key), and the devices' cookie values. */
async function secretsNow(ctx: VerifyContext, devices: Device[]): Promise<{ what: string; value: string }[]> {
  const known = devices.find((d) => d.session)?.session;
  const secrets: { what: string; value: string }[] = [];
  if (known && ctx.redis) {
    const prefix = known.key.slice(0, known.key.length - known.id.length);
    for (const key of await ctx.redis.keys()) {
      if (key.startsWith(prefix) && key.length > prefix.length) secrets.push({ what: `the session id ${key.slice(prefix.length)} (${key})`, value: key.slice(prefix.length) });
    }
  }
  for (const d of devices) {
    if (!d.session) continue;
    secrets.push({ what: `${d.label}'s session id`, value: d.session.id });
    secrets.push({ what: `${d.label}'s cookie value`, value: d.session.cookieValue });
    secrets.push({ what: `${d.label}'s signed cookie value`, value: decodeURIComponent(d.session.cookieValue) });
  }
  return secrets;
}

/** GET /account on ada's phone, with Redis watched, once her devices are logged in. */
export function phoneListing(ctx: VerifyContext): Promise<AccountListing> {
  return ctx.once('step5:listing', async () => {
    const { app, devices } = await adaDevices(ctx);
    const get = () => ctx.visit(devices.phone.visitor, app, '/account');
    let page: Page;
    let walks: string[] | undefined;
    let watchError: string | undefined;
    try {
      ({ result: page, walks } = await watchWalks(ctx, get));
    } catch (err) {
      watchError = (err as Error).message;
      page = await get();
    }
    const entries = listing(page.body);
    const handles: Partial<Record<AdaDevice, string>> = {};
    for (const name of Object.keys(ADA_DEVICES) as AdaDevice[]) {
      const [entry] = entriesShowing(entries, shown(devices[name].userAgent));
      if (entry?.handle) handles[name] = entry.handle;
    }
    return { page, entries, walks, watchError, handles, fields: sessionFormFields(page.body), secrets: await secretsNow(ctx, Object.values(devices)) };
  });
}

// --- Logging devices out, one clause at a time.

/**
 * What ada's clauses below wait for: the devices, their index, and the
 * handles her phone's account page gave them; then, for those that end
 * step 4's sessions of hers or might: step 4's cross-site posts done with
 * its victim (whose record step5.ended-dropped deletes), and for "everywhere
 * else", its own login logged out too.
 */
async function stage(ctx: VerifyContext, after: 'nothing' | 'victim' | 'step4' = 'nothing') {
  const ada = await adaDevices(ctx);
  const seen = await phoneListing(ctx);
  const step4 = after === 'nothing' ? [] : after === 'victim' ? [crossSiteLogin(ctx)] : [crossSiteLogin(ctx), account(ctx), step4Logout(ctx)];
  await Promise.all(step4.map((p) => p.catch(() => {})));
  return { ...ada, listing: seen };
}

/** A POST as `device` from an account page: with the page's hidden fields when its forms carry some (a CSRF token), read again on the device's own page. */
async function post(ctx: VerifyContext, app: RunningApp, device: Device, path: string, fields: FormFields): Promise<Page> {
  let form = fields;
  if (Object.keys(fields).length) form = sessionFormFields((await ctx.visit(device.visitor, app, '/account')).body);
  return ctx.send(device.visitor, app, { path, method: 'POST', form });
}

/** The index's entries now (undefined: it is gone). */
const indexNow = (ctx: VerifyContext, index: IndexFound) => readCollection(ctx, index.key, index.type);

const loggedIn = async (ctx: VerifyContext, app: RunningApp, device: Device) => shows(await ctx.visit(device.visitor, app, '/account'), device.user);

/** How messages show an entry of an index. */
const entryText = (e: Entry) => e.text.replace('\n', ' → ').slice(0, 80);

/**
 * The entries of `before` that `after` lost, among those of the devices
 * `only` (by their session ids, or their handles): the other clauses, and
 * step 4's logins of ada, come and go meanwhile, and are none of this one's
 * business. Every entry lost, when no device's entry can be told.
 */
function lost<D extends string>(before: Collection | undefined, after: Collection | undefined, devices: Record<D, Device>, handles: Partial<Record<D, string>>, only: readonly D[]): Entry[] {
  const entries = before?.entries ?? [];
  const of = (e: Entry, names: readonly D[]) => names.some((n) => entryOf([e], devices[n].session, handles[n]));
  const told = entries.some((e) => of(e, Object.keys(devices) as D[]));
  return removed(before, after).filter((e) => !told || of(e, only));
}

export interface RevokeObservation {
  handle: string;
  answer: Page;
  /** GET /account on the revoked device afterwards. */
  stillLoggedIn: boolean;
  recordRemains: boolean;
  key: string;
  /** The device's entry in the index before, and whether it is still there (undefined: it could not be told; then `lost`, the entries the index lost). */
  entryBefore?: Entry;
  entryRemains?: boolean;
  lost: number;
  /** The revoked device's record as it was just before the revoke (what a request of its own in flight would save again). */
  recordBefore?: string;
}

/** ada's phone revokes her Android phone, by the handle its entry's form posts to. */
export function revokeOther(ctx: VerifyContext): Promise<RevokeObservation> {
  return ctx.once('step5:revoke', async () => {
    const { app, devices, index, listing: seen } = await stage(ctx);
    const { android, phone } = devices;
    const handle = seen.handles.android;
    if (!handle || !android.session || !index) throw new CannotCheck(`${android.label} has ${android.session ? 'no revoke form in its entry on the account page' : 'no session'}, so there was nothing to revoke.`);
    const [before, recordBefore] = await Promise.all([indexNow(ctx, index), ctx.redis?.command('GET', android.session.key)]);
    const entryBefore = entryOf(before?.entries ?? [], android.session, handle);
    const answer = await post(ctx, app, phone, `/sessions/${encodeURIComponent(handle)}/revoke`, seen.fields);
    const [after, recordRemains] = await Promise.all([indexNow(ctx, index), exists(ctx, android.session.key)]);
    return {
      handle,
      answer,
      stillLoggedIn: await loggedIn(ctx, app, android),
      recordRemains,
      key: android.session.key,
      entryBefore,
      entryRemains: entryBefore ? after?.entries.some((e) => e.id === entryBefore.id) === true : undefined,
      lost: removed(before, after).length,
      ...(typeof recordBefore === 'string' ? { recordBefore } : {}),
    };
  });
}

export interface WrittenBackObservation {
  device: string;
  key: string;
  /** GET /account on the revoked device, after its record was written back. */
  loggedIn: boolean;
  /** The record written back is still in Redis after that request. */
  recordRemains: boolean;
}

/**
 * A request the revoked device had in flight when the revoke came: at its
 * end, express-session saves the session it loaded (connect-redis: a plain
 * SET of the record). The same SET, made here, then the device's next
 * request: a revoke must hold, whatever the device had under way.
 */
export function writtenBack(ctx: VerifyContext): Promise<WrittenBackObservation> {
  return ctx.once('step5:written-back', async () => {
    const revoked = await revokeOther(ctx);
    const { app, devices } = await stage(ctx);
    const { android } = devices;
    if (revoked.stillLoggedIn || !revoked.recordBefore || !android.session) {
      throw new CannotCheck(`${android.label} was not logged out by the revoke, so there was no revoke to test against a request in flight.`);
    }
    await ctx.redis!.command('SET', android.session.key, revoked.recordBefore, 'EX', 3600);
    const stillIn = await loggedIn(ctx, app, android);
    return { device: android.label, key: android.session.key, loggedIn: stillIn, recordRemains: await exists(ctx, android.session.key) };
  });
}

export interface UnknownHandleObservation {
  handle: string;
  answer: Page;
  /** Entries of ada's phone and laptop the index lost meanwhile. */
  indexChanged: string[];
  phoneLoggedIn: boolean;
}

/** A handle that names nothing, shaped as the real ones are (their length and their characters). */
function unknownLike(handle: string): string {
  const alphabet = [...new Set(handle)].join('').replace(/[^A-Za-z0-9_-]/g, '') || 'abcdef0123456789';
  let made = '';
  while (made.length < Math.max(handle.length, 8)) made += alphabet[randomBytes(1)[0]! % alphabet.length];
  return made === handle ? `${made}x` : made;
}

/** ada's phone posts the revoke of a handle that names no session. */
export function unknownHandle(ctx: VerifyContext): Promise<UnknownHandleObservation> {
  return ctx.once('step5:unknown-handle', async () => {
    const { app, devices, index, listing: seen } = await stage(ctx);
    const like = seen.handles.laptop ?? Object.values(seen.handles)[0];
    if (!like || !index) throw new CannotCheck('The account page has no revoke form, so there was no handle to make an unknown one like.');
    const handle = unknownLike(like);
    const before = await indexNow(ctx, index);
    const answer = await post(ctx, app, devices.phone, `/sessions/${encodeURIComponent(handle)}/revoke`, seen.fields);
    const after = await indexNow(ctx, index);
    const indexChanged = lost(before, after, devices, seen.handles, ['phone', 'laptop']).map((e) => `${entryText(e)} removed`);
    return { handle, answer, indexChanged, phoneLoggedIn: await loggedIn(ctx, app, devices.phone) };
  });
}

export interface EndedObservation {
  /** The account page read afterwards, on ada's phone. */
  page: Page;
  /** Sessions ended in Redis behind the app's back: how, and whether the page or the index still has them. */
  ended: { label: string; how: string; listed: boolean; entryRemains?: boolean }[];
  /** Entries the index lost, for when no ended one could be told. */
  lost: number;
  /** Whether each record was really gone before the page was read. */
  gone: boolean;
}

/**
 * Two of ada's sessions end without the app: the record of step 4's victim
 * is deleted (DEL), and her Windows PC's expires (PEXPIRE to 1 ms). Then
 * her phone reads /account.
 */
export function endedSessions(ctx: VerifyContext): Promise<EndedObservation> {
  return ctx.once('step5:ended', async () => {
    const { app, devices, index, listing: seen } = await stage(ctx, 'victim');
    const redis = ctx.redis;
    const { script } = devices;
    if (!redis || !index || !script.session) throw new CannotCheck(`No index of ${USER.username}'s sessions was found (see step5.index), so there was nothing to drop.`);
    const gone = await victim(ctx).catch(() => undefined);
    // The victim's id, from its key: the prefix is the devices' keys'.
    const prefix = script.session.key.slice(0, script.session.key.length - script.session.id.length);
    const targets: { label: string; how: string; session: DeviceSession; handle?: string; userAgent?: string }[] = [
      { label: script.label, how: 'expired (PEXPIRE … 1)', session: script.session, handle: seen.handles.script, userAgent: script.userAgent },
    ];
    if (gone?.key?.startsWith(prefix)) targets.push({ label: "step 4's login of ada (no User-Agent)", how: 'deleted (DEL)', session: { id: gone.key.slice(prefix.length), key: gone.key, cookieValue: '' } });
    const before = await indexNow(ctx, index);
    await redis.command('PEXPIRE', script.session.key, 1);
    if (targets[1]) await redis.command('DEL', targets[1].session.key);
    let left = true;
    for (let i = 0; i < 50 && left; i++) {
      left = (await Promise.all(targets.map((t) => exists(ctx, t.session.key)))).some(Boolean);
      if (left) await new Promise((r) => setTimeout(r, 10));
    }
    const page = await ctx.visit(devices.phone.visitor, app, '/account');
    const after = await indexNow(ctx, index);
    const entries = listing(page.body);
    const ended = targets.map((t) => {
      const entry = entryOf(before?.entries ?? [], t.session, t.handle);
      return {
        label: t.label,
        how: t.how,
        listed: t.userAgent ? entriesShowing(entries, shown(t.userAgent)).length > 0 || page.body.includes(t.userAgent) : false,
        entryRemains: entry ? after?.entries.some((e) => e.id === entry.id) === true : undefined,
      };
    });
    return { page, ended, lost: removed(before, after).length, gone: !left };
  });
}

/**
 * Step 5's POSTs from another site, by ada's phone with its cookies: the
 * revoke of her laptop, and "everywhere else" while there are others. Each
 * of step 4's variants in turn (see step4-attacks.ts); what changed is
 * looked for in the phone's and the laptop's records and index entries.
 * After the clauses above, which log devices out on purpose.
 */
export function crossSitePosts(ctx: VerifyContext): Promise<{ revoke: CrossSiteObservation; others: CrossSiteObservation; revokePath: string }> {
  return ctx.once('step5:cross-site', async () => {
    await Promise.all([revokeOther(ctx), unknownHandle(ctx), endedSessions(ctx)].map((p) => p.catch(() => {})));
    const { app, devices, index, listing: seen } = await stage(ctx, 'victim');
    const { phone, laptop } = devices;
    const handle = seen.handles.laptop;
    if (!handle || !index || !phone.session || !laptop.session) throw new CannotCheck(`The account page has no revoke form for ${laptop.label}, so there was nothing to post from another site.`);
    const holder = await held(phone, app);
    const state = async () => {
      const [p, l, i] = await Promise.all([ctx.redis?.read(phone.session!.key), ctx.redis?.read(laptop.session!.key), indexNow(ctx, index)]);
      return { phone: p && withoutTimes(p), laptop: l && withoutTimes(l), index: i };
    };
    const attacks = async (path: string): Promise<CrossSiteObservation> => {
      const attempts: CrossSiteAttempt[] = [];
      let was = await state();
      for (const variant of CROSS_SITE) {
        const page = await ctx.send(holder, app, { path, method: 'POST', form: {}, browser: false, headers: variant.headers });
        const now = await state();
        const changed: string[] = [];
        for (const [device, what] of [
          [phone, 'phone'],
          [laptop, 'laptop'],
        ] as const) {
          if (was[what] !== undefined && now[what] === undefined) changed.push(`${device.label}'s record ${device.session!.key} was deleted`);
          else if (was[what] !== now[what]) changed.push(`${device.label}'s record ${device.session!.key} changed`);
        }
        const gone = lost(was.index, now.index, devices, seen.handles, ['phone', 'laptop']);
        if (gone.length) changed.push(`the index ${index.key} lost ${gone.map(entryText).join(', ')}`);
        attempts.push({ variant, who: `${phone.label}, logged in`, posted: 'no form', page, changed });
        was = now;
      }
      const after = await Promise.all([phone, laptop].map(async (d) => ({ who: d.label, loggedIn: await loggedIn(ctx, app, d), expected: true })));
      return { attempts, after };
    };
    const revokePath = `/sessions/${encodeURIComponent(handle)}/revoke`;
    const revoke = await attacks(revokePath);
    const others = await attacks('/sessions/revoke-others');
    return { revoke, others, revokePath };
  });
}

// --- grace's own: her index is touched by nothing else.

export interface LogoutIndexObservation {
  answer: Page;
  entryBefore?: Entry;
  entryRemains?: boolean;
  lost: number;
}

/** grace's laptop logs out (POST /logout from /), and her index is read at once, before any list of hers is read again. */
export function logoutDevice(ctx: VerifyContext): Promise<LogoutIndexObservation> {
  return ctx.once('step5:logout', async () => {
    const { app, devices, index, handles } = await graceDevices(ctx);
    const { laptop } = devices;
    if (!index || !laptop.session) throw new CannotCheck(`No index of ${GRACE.username}'s sessions was found (see step5.index), so there was nothing to look for in it.`);
    const before = await indexNow(ctx, index);
    const entryBefore = entryOf(before?.entries ?? [], laptop.session, handles.laptop);
    const answer = await ctx.submit(laptop.visitor, app, { page: '/', action: '/logout', fields: {} });
    const after = await indexNow(ctx, index);
    return { answer, entryBefore, entryRemains: entryBefore ? after?.entries.some((e) => e.id === entryBefore.id) === true : undefined, lost: removed(before, after).length };
  });
}

export interface SelfRevokeObservation {
  handle: string;
  answer: Page;
  stillLoggedIn: boolean;
  recordRemains: boolean;
}

/** grace's iPad posts the revoke of its own handle (read on her phone's page). */
export function revokeSelf(ctx: VerifyContext): Promise<SelfRevokeObservation> {
  return ctx.once('step5:revoke-self', async () => {
    await logoutDevice(ctx).catch(() => {});
    const { app, devices, handles, fields } = await graceDevices(ctx);
    const { tablet } = devices;
    const handle = handles.tablet;
    if (!handle || !tablet.session) throw new CannotCheck(`${devices.phone.label}'s account page has no revoke form for ${tablet.label}, so it had no handle to revoke.`);
    const answer = await post(ctx, app, tablet, `/sessions/${encodeURIComponent(handle)}/revoke`, fields);
    return { handle, answer, recordRemains: await exists(ctx, tablet.session.key), stillLoggedIn: await loggedIn(ctx, app, tablet) };
  });
}

export interface ForeignHandleObservation {
  handle: string;
  answer: Page;
  /** grace's pc, afterwards. */
  stillLoggedIn: boolean;
  recordRemains: boolean;
  /** What changed in grace's index. */
  indexChanged: string[];
}

/** ada's phone posts the revoke of grace's pc, by the handle grace's phone read; after grace's own clauses, which read her index. */
export function foreignHandle(ctx: VerifyContext): Promise<ForeignHandleObservation> {
  return ctx.once('step5:foreign-handle', async () => {
    await revokeSelf(ctx).catch(() => {});
    const { app, devices, listing: seen } = await stage(ctx);
    const grace = await graceDevices(ctx);
    const { pc } = grace.devices;
    const handle = grace.handles.pc;
    if (!handle || !pc.session) throw new CannotCheck(`${pc.session ? `The account page of ${grace.devices.phone.label} has no revoke form for ${pc.label}` : `${pc.label} is not logged in`}, so there was no handle of hers to try.`);
    const before = grace.index && (await indexNow(ctx, grace.index));
    const answer = await post(ctx, app, devices.phone, `/sessions/${encodeURIComponent(handle)}/revoke`, seen.fields);
    const after = grace.index && (await indexNow(ctx, grace.index));
    const indexChanged = [...removed(before, after).map((e) => `${entryText(e)} removed`), ...added(before, after).map((e) => `${entryText(e)} added`)];
    return { handle, answer, recordRemains: await exists(ctx, pc.session.key), stillLoggedIn: await loggedIn(ctx, app, pc), indexChanged };
  });
}

export interface RevokeOthersObservation {
  answer: Page;
  phoneLoggedIn: boolean;
  laptopLoggedIn: boolean;
  /** grace's phone afterwards, when it was logged in before. */
  graceLoggedIn?: boolean;
  /** The account page on the phone afterwards, and the devices of ada's it lists. */
  page: Page;
  listed: string[];
  /** The index after that page was read. */
  entries?: Entry[];
}

/** ada's phone logs out everywhere else, last of all. */
export function revokeOthers(ctx: VerifyContext): Promise<RevokeOthersObservation> {
  return ctx.once('step5:revoke-others', async () => {
    await Promise.all([crossSitePosts(ctx), foreignHandle(ctx)].map((p) => p.catch(() => {})));
    const { app, devices, index, listing: seen } = await stage(ctx, 'step4');
    const { phone, laptop } = devices;
    // grace's phone: nothing before logs it out (her pc is the one whose handle ada tried).
    const grace = await graceDevices(ctx).catch(() => undefined);
    const graceBefore = grace ? await loggedIn(ctx, app, grace.devices.phone) : false;
    const answer = await post(ctx, app, phone, '/sessions/revoke-others', seen.fields);
    const [phoneLoggedIn, laptopLoggedIn, graceLoggedIn] = await Promise.all([
      loggedIn(ctx, app, phone),
      loggedIn(ctx, app, laptop),
      grace && graceBefore ? loggedIn(ctx, app, grace.devices.phone) : undefined,
    ]);
    const page = await ctx.visit(phone.visitor, app, '/account');
    const entries = index ? (await indexNow(ctx, index))?.entries : undefined;
    const shownEntries = listing(page.body);
    const listed = (Object.keys(ADA_DEVICES) as AdaDevice[]).filter((n) => entriesShowing(shownEntries, shown(devices[n].userAgent)).length > 0).map((n) => devices[n].label);
    return { answer, phoneLoggedIn, laptopLoggedIn, graceLoggedIn, page, listed, entries };
  });
}

/** Starts step 5's chains as soon as the app is up; ada's devices before step 4's login of hers. */
export function startDevices(ctx: VerifyContext): void {
  beforeAdaLogin(ctx, adaDevices(ctx));
  void phoneListing(ctx).catch(() => {});
  void revokeOthers(ctx).catch(() => {});
}
