// What is in Redis: each session key with its TTL, its value, whose it is
// when a user is logged in, and the redis-cli command that shows the same;
// then the counters (failed logins, rate limits) with their TTLs; then every
// other key, by type, with its TTL, its size and the start of its value.
// A value shown in part has a "Show more" button that reads the next chunk
// on demand. A key the runner found to index sessions (an app's list of a
// user's devices: a hash, set, sorted set or list naming them) is shown with
// them: the sessions grouped by user, each user's indexes under the heading,
// an entry naming a session gone said so. Above it all, what just happened:
// the runner's event lines (a login, its old record deleted; a logout; a
// revoke; an expiry), newest first. All of it is text, never markup.
import { get } from './api.js';
import { $, h } from './dom.js';

function ttlText(ttl) {
  if (ttl < 0) return 'never expires';
  const d = Math.floor(ttl / 86400);
  const hrs = Math.floor((ttl % 86400) / 3600);
  const min = Math.floor((ttl % 3600) / 60);
  const sec = ttl % 60;
  const parts = d ? [`${d} d`, `${hrs} h`] : hrs ? [`${hrs} h`, `${min} min`] : min ? [`${min} min`, `${sec} s`] : [`${sec} s`];
  return `expires in ${parts.join(' ')} (TTL ${ttl})`;
}

// The note is a live region, and the inspector refreshes every 2 s: an unchanged sentence is
// left alone, since rewriting it (even with the same words) has screen readers say it again.
function say(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** The data-key of the list item holding the focus in `list`, if any. */
function focusedKey(list) {
  const el = document.activeElement;
  return el && el !== document.body && list.contains(el) ? el.closest('[data-key]')?.dataset.key : undefined;
}

/** After a redraw took the focus away with its element, it goes back to the same key's summary. */
function restoreFocus(list, key) {
  if (key === undefined || list.contains(document.activeElement)) return;
  const again = [...list.querySelectorAll('[data-key]')].find((el) => el.dataset.key === key);
  (again?.querySelector('summary') ?? again)?.focus({ preventScroll: true });
}

export function showInspector(snap) {
  showCli(snap.listCli || '');
  showEvents(snap.events ?? []);
  const note = $('inspector-note');
  const users = snap.sessions.filter((s) => s.user).length;
  const indexes = snap.indexes ?? [];
  const elsewhere = (snap.keys?.length ?? 0) + (snap.counters?.length ?? 0);
  if (snap.error) say(note, snap.error);
  else if (!snap.sessions.length && elsewhere) say(note, 'No sessions in Redis. Its other keys are below.');
  else if (!snap.sessions.length) say(note, 'No sessions yet. Once your app stores sessions in Redis, they appear here as you use it.');
  else {
    const indexed = indexes.length ? `; ${counted(indexes.length, ['key indexes', 'keys index'])} them, shown by user` : '';
    say(note, `${counted(snap.sessions.length, ['session', 'sessions'])}${users ? `, ${users} with a user logged in` : ''}${indexed}${snap.truncated ? ' (the first ones only: Redis holds many keys)' : ''}.`);
  }
  const open = new Set([...document.querySelectorAll('#sessions details[open]')].map((d) => d.dataset.key));
  const list = $('sessions');
  const focused = focusedKey(list);
  const active = document.activeElement;
  // Where the focus was, to put it on a neighbour when its own item goes (a session revoked).
  const order = [...list.querySelectorAll('[data-key]')].map((el) => ({ key: el.dataset.key, group: el.closest('[data-group]')?.dataset.group }));
  // A session whose record is the same keeps its element, and what "Show more" added to it;
  // the list is still drawn again (each TTL moves), keeping where each value was scrolled to.
  const scrolled = [...list.querySelectorAll('pre.value, .items-box')].filter((el) => el.scrollTop).map((el) => [el, el.scrollTop]);
  // The sessions an index of their user's names, and those it does not (logged in before it, or written back after a revoke).
  const inIndex = new Set(indexes.flatMap((x) => x.names.filter((n) => n.state === 'live').map((n) => n.session)));
  const usersIndexed = new Set(indexes.filter((x) => x.user !== undefined).map((x) => x.user));
  liveSessions = new Map(snap.sessions.map((s) => [s.key, s.user]));
  const next = new Map();
  for (const s of snap.sessions) {
    const notIndexed = s.user !== undefined && usersIndexed.has(s.user) && !inIndex.has(s.key);
    const sig = JSON.stringify({ ...s, ttl: undefined, notIndexed });
    let item = sessionItems.get(s.key);
    if (item?.sig === sig) say(item.ttl, ttlText(s.ttl));
    else item = sessionItem(s, sig, notIndexed);
    item.details.open = open.has(s.key) || snap.sessions.length <= 3;
    next.set(s.key, item);
  }
  sessionItems = next;
  if (indexes.length) showGroups(list, snap, indexes);
  else {
    groupItems.clear();
    indexItems.clear();
    // Sessions with a user first (the one a login just made is the one looked for), each kind by key as before.
    const hasUser = (key) => (liveSessions.get(key) !== undefined ? 0 : 1);
    list.replaceChildren(...[...next].sort(([a], [b]) => hasUser(a) - hasUser(b)).map(([, item]) => item.li));
  }
  for (const [el, top] of scrolled) if (el.isConnected) el.scrollTop = top;
  if (active && active !== document.body && active.isConnected && list.contains(active)) active.focus({ preventScroll: true });
  restoreFocus(list, focused);
  if (focused !== undefined && !list.contains(document.activeElement)) focusNeighbour(list, order, focused);
  showCounters(snap);
  showKeys(snap);
}

let sessionItems = new Map();
/** The sessions of the last pass, by key: whose each is (for the rows "Show more" adds to an index). */
let liveSessions = new Map();

/**
 * The focus, once `key`'s item went with it: on the next item of the old order still
 * there, else the one before; one of the same user's first (the session's index).
 */
function focusNeighbour(list, order, key) {
  const at = order.findIndex((o) => o.key === key);
  const here = new Map([...list.querySelectorAll('[data-key]')].map((el) => [el.dataset.key, el]));
  const near = [...order.slice(at + 1), ...order.slice(0, at).reverse()].filter((o) => here.has(o.key));
  const pick = near.find((o) => o.group === order[at]?.group) ?? near[0];
  const el = pick && here.get(pick.key);
  (el?.querySelector('summary') ?? el)?.focus({ preventScroll: true });
}

/**
 * The sessions by user, with the indexes of each user's sessions: a heading per
 * user ("ada: 3 sessions, index devices:ada (hash, 3 entries, expires in 25 h)"),
 * the indexes, then the sessions; then the sessions of no user, then the indexes
 * of several users' sessions. Drawn in place, as the other keys are: an item
 * whose value is the same is not touched, a group or item that goes is taken out.
 */
function showGroups(list, snap, indexes) {
  const byGroup = new Map();
  const add = (id, what, x) => {
    if (!byGroup.has(id)) byGroup.set(id, { sessions: [], indexes: [] });
    byGroup.get(id)[what].push(x);
  };
  for (const s of snap.sessions) add(s.user !== undefined ? `user:${s.user}` : 'none', 'sessions', s);
  for (const x of indexes) {
    const anonymous = x.names.every((n) => n.state !== 'live' || n.user === undefined);
    add(x.user !== undefined ? `user:${x.user}` : anonymous ? 'none' : 'several', 'indexes', x);
  }
  const rank = (id) => (id === 'none' ? 1 : id === 'several' ? 2 : 0);
  const ids = [...byGroup.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const nextIndexes = new Map();
  for (const x of indexes) {
    const sig = JSON.stringify({ ...x, ttl: undefined });
    let item = indexItems.get(x.key);
    if (item?.sig === sig) say(item.ttl, ttlText(x.ttl));
    else item = indexItem(x, sig, item ? item.details.open : true);
    nextIndexes.set(x.key, item);
  }
  indexItems = nextIndexes;
  for (const id of [...groupItems.keys()]) if (!byGroup.has(id)) groupItems.delete(id);
  setChildren(
    list,
    ids.map((id) => {
      const g = byGroup.get(id);
      let group = groupItems.get(id);
      if (!group) {
        const heading = h('h3', { class: 'group-heading' });
        const ul = h('ul', { class: 'group-list' });
        group = { li: h('li', { class: 'session-group', 'data-group': id }, heading, ul), heading, ul, text: '' };
        groupItems.set(id, group);
      }
      // Rewritten only when its words change (an index's TTL is said in hours there).
      const parts = groupHeading(id, g);
      const text = parts.map((p) => (typeof p === 'string' ? p : p.textContent)).join('');
      if (text !== group.text) {
        group.text = text;
        group.heading.replaceChildren(...parts);
      }
      setChildren(group.ul, [...g.indexes.map((x) => indexItems.get(x.key).li), ...g.sessions.map((s) => sessionItems.get(s.key).li)]);
      return group.li;
    }),
  );
}

let groupItems = new Map();
let indexItems = new Map();

const indexTypeName = (type) => types[type]?.name[0] ?? type;

/**
 * A TTL in a heading: rounded to its largest unit ("expires in 25 h" for 89,990 s),
 * so the heading stays still between refreshes; the index's own line has it to the second.
 */
function shortTtl(ttl) {
  if (ttl < 0) return 'never expires';
  const [n, unit] = ttl >= 172_800 ? [Math.round(ttl / 86_400), 'd'] : ttl >= 5400 ? [Math.round(ttl / 3600), 'h'] : ttl >= 90 ? [Math.round(ttl / 60), 'min'] : [ttl, 's'];
  return `expires in ${n} ${unit}`;
}

/** A group's heading, as parts for h(): its user, how many sessions, and each index of them. */
function groupHeading(id, g) {
  const who = id === 'none' ? ['No user logged in'] : id === 'several' ? ['Several users\' sessions'] : [h('span', { class: 'who' }, id.slice('user:'.length))];
  const count = id === 'several' ? [] : [`: ${counted(g.sessions.length, ['session', 'sessions'])}`];
  const of = g.indexes.flatMap((x, i) => [
    id === 'several' && i === 0 ? ': ' : ', ',
    'index ',
    keyCode(x.key),
    ` (${indexTypeName(x.type)}, ${counted(x.size ?? x.rows.length, ['entry', 'entries'])}, ${shortTtl(x.ttl)})`,
  ]);
  const none = id.startsWith('user:') && !g.indexes.length ? [', in no index'] : [];
  return [...who, ...count, ...of, ...none];
}

/** What an index's entry names: its session live, gone, or past what the runner read. */
function entryState(x, n) {
  if (n.state === 'gone') return h('span', { class: 'entry-gone' }, 'session gone: the app drops it when it next reads the list');
  if (n.state === 'unread') return h('span', { class: 'entry-unread' }, 'not read: Redis holds more keys than the inspector reads');
  // In a user's index, every live entry is that user's: said only in the others.
  const whose = x.user !== undefined ? '' : n.user !== undefined ? ` (${n.user})` : ' (no user)';
  return h('span', { class: 'entry-live' }, `live${whose}`);
}

/** An index's rows, each with what it names; `names` is the engine's, or worked out here for rows "Show more" added. */
function indexRows(x, rows, cut, names) {
  const col = x.type === 'hash' || x.type === 'list' ? 1 : 0;
  return rowsOf(x.type, rows, cut).map((tr, i) => {
    let n = names?.[i];
    if (!n) {
      const v = rows[i][col];
      const session = liveSessions.has(v) ? v : x.prefix + v;
      n = liveSessions.has(session) ? { session, state: 'live', user: liveSessions.get(session) } : { session, state: 'gone' };
    }
    tr.append(h('td', { class: 'entry-state' }, entryState(x, n)));
    if (n.state === 'gone') tr.classList.add('gone');
    return tr;
  });
}

/** One index's list item: its key, type, size and TTL; its entries, each with its session's state; the command that reads it. */
function indexItem(x, sig, open) {
  const ttl = h('span', { class: 'ttl' }, ttlText(x.ttl));
  const item = { sig };
  const spec = types[x.type];
  const tbody = h('tbody', {}, ...indexRows(x, x.rows, x.cut, x.names));
  const value = h(
    'div',
    { class: 'items-box' },
    h('table', { class: `items items-${x.type} items-index` }, h('thead', {}, h('tr', {}, ...[...spec.columns, 'session'].map((c) => h('th', { scope: 'col' }, c)))), tbody),
  );
  const more = x.partial
    ? showMore(item, {
        key: x.key,
        type: x.type,
        size: x.size,
        shown: x.rows.length,
        next: x.type === 'list' || x.type === 'zset' ? x.rows.length : 0,
        tbody,
        rows: x.rows,
        render: (rows, cut) => indexRows(x, rows, cut),
      })
    : [];
  const li = h(
    'li',
    { class: 'session-index', 'data-key': x.key, 'data-type': x.type },
    h(
      'details',
      { open },
      h(
        'summary',
        {},
        h('span', { class: 'index-tag' }, 'index'),
        ' ',
        keyCode(x.key),
        ' ',
        h('span', { class: 'key-type' }, x.type),
        ' ',
        h('span', { class: 'key-meta' }, h('span', { class: 'key-size' }, counted(x.size, ['entry', 'entries'])), ' · ', ttl),
      ),
      value,
      ...more,
      x.note && h('p', { class: 'note' }, x.note),
      h('p', { class: 'cli' }, command(x.cli)),
    ),
  );
  return Object.assign(item, { li, ttl, details: li.firstChild });
}

/** One session's list item: whose it is, its TTL, its record (its start, with "Show more", when big). */
function sessionItem(s, sig, notIndexed) {
  const ttl = h('span', { class: 'ttl' }, ttlText(s.ttl));
  // A whole record is a few lines: all of it shows, wrapped. Only the start of a big one sits in a box that scrolls.
  const pre = h('pre', { class: s.partial ? 'value' : 'value session-value' }, s.value);
  const item = { sig };
  const details = h(
    'details',
    { 'data-key': s.key },
    h(
      'summary',
      {},
      s.user && h('span', { class: 'user' }, 'logged in: ', h('strong', {}, s.user)),
      s.user && ' ',
      keyCode(s.key),
      ' ',
      ttl,
      notIndexed && ' ',
      notIndexed && h('span', { class: 'not-indexed' }, "not in its user's index"),
    ),
    pre,
    ...(s.partial ? showMore(item, { key: s.key, type: 'string', size: s.size, shown: s.shownBytes, next: s.shownBytes, pre }) : []),
    h('p', { class: 'cli' }, h('code', {}, s.cli)),
  );
  const li = h('li', { class: s.user ? 'session has-user' : 'session' }, details);
  return Object.assign(item, { li, ttl, details });
}

/** The counters: key, value, TTL and the redis-cli line; hidden while there are none. */
function showCounters(snap) {
  const counters = snap.counters ?? [];
  $('counters-box').hidden = !counters.length;
  $('counters-note').textContent = counters.length
    ? `${counters.length} key${counters.length === 1 ? '' : 's'} holding a number${snap.countersTruncated ? ' (the first ones only: Redis holds many keys)' : ''}.`
    : '';
  $('counters').replaceChildren(
    ...counters.map((c) =>
      h(
        'li',
        { class: 'counter-key', 'data-key': c.key },
        keyCode(c.key),
        ' = ',
        h('span', { class: 'count' }, c.value),
        ' ',
        h('span', { class: 'ttl' }, ttlText(c.ttl)),
        h('p', { class: 'cli' }, h('code', {}, c.cli)),
      ),
    ),
  );
}

const types = {
  string: { name: ['string', 'strings'], unit: ['byte', 'bytes'] },
  hash: { name: ['hash', 'hashes'], unit: ['field', 'fields'], columns: ['field', 'value'] },
  list: { name: ['list', 'lists'], unit: ['item', 'items'], columns: ['index', 'item'] },
  set: { name: ['set', 'sets'], unit: ['member', 'members'], columns: ['member'] },
  zset: { name: ['sorted set', 'sorted sets'], unit: ['member', 'members'], columns: ['member', 'score'] },
  stream: { name: ['stream', 'streams'], unit: ['entry', 'entries'], columns: ['id', 'fields'] },
};
const typeOrder = Object.keys(types);
const number = (n) => n.toLocaleString('en');
const counted = (n, [one, many]) => `${number(n)} ${n === 1 ? one : many}`;
const names = (type) => types[type]?.name ?? [`key of type ${type}`, `keys of type ${type}`];
const groupName = (type) => names(type)[1].replace(/^./, (c) => c.toUpperCase());

/** "Shown: the first 10 of 30 items." while only part of a value is here; "Shown: all 30 items." once all is. */
function shownText(type, shown, size) {
  const unit = types[type].unit;
  if (shown >= size) return `Shown: all ${counted(size, unit)}.`;
  const which = type === 'stream' ? 'the last ' : type === 'hash' || type === 'set' ? '' : 'the first ';
  return `Shown: ${which}${number(shown)} of ${number(size)} ${unit[1]}. The command below reads it all.`;
}

/** What a cut text says after it: how long it is in all. */
const cutNote = (bytes) => h('span', { class: 'cut-note' }, ` (cut: ${counted(bytes, ['byte', 'bytes'])} in all)`);

/** Table rows for a key's elements; a text shown cut says so, with its full size. */
function rowsOf(type, rows, cut = []) {
  const cutAt = new Map(cut.map((c) => [`${c.row}:${type === 'stream' ? Math.min(c.col, 1) : c.col}`, c.bytes]));
  return rows.map((row, r) => {
    const cells = type === 'stream' ? [row[0], pairsText(row.slice(1))] : row;
    return h('tr', {}, ...cells.map((c, col) => {
      const bytes = cutAt.get(`${r}:${col}`);
      return h('td', {}, c, bytes !== undefined && cutNote(bytes));
    }));
  });
}

/** A value as the learner reads it: a string's text; a table of fields, items, members or entries. */
function valueOf(k) {
  if (k.type === 'string') return h('pre', { class: 'value' }, k.value);
  const spec = types[k.type];
  if (!spec || !k.rows) return h('p', { class: 'note' }, k.note ?? `A value of type ${k.type}: the command below shows what it holds.`);
  if (!k.rows.length) return h('p', { class: 'note' }, 'Empty.');
  return h(
    'div',
    { class: 'items-box' },
    h(
      'table',
      { class: `items items-${k.type}` },
      h('thead', {}, h('tr', {}, ...spec.columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rowsOf(k.type, k.rows, k.cut)),
    ),
  );
}

/**
 * The note saying how much of a value is shown, and its "Show more" button: each press
 * reads the next chunk (GET /api/inspector/value) and adds it to the value, a string's
 * text to its <pre>, elements to its table. The button goes once all is shown, and the
 * focus goes to the note that says so. `item` is the key's or session's item: what was
 * added lives in its elements, kept across refreshes while the value is the same, and a
 * chunk that comes back after the item was drawn again (its value changed) is dropped.
 * v: { key, type, size, shown, next, pre } of a string; { key, type, size, shown, next,
 * tbody, rows, render? } of the other types (`render(rows, cut)`: their <tr>s, rowsOf's by default).
 */
function showMore(item, v) {
  const note = h('p', { class: 'partial', 'aria-live': 'polite' }, shownText(v.type, v.shown, v.size));
  const button = h('button', { type: 'button', class: 'more', onclick: () => void more() }, 'Show more');
  // Members and fields already shown: a SCAN may give one again.
  const seen = new Set(v.rows?.map((r) => r[0]));
  let busy = false;
  const more = async () => {
    if (busy) return;
    busy = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const chunk = await get(`/inspector/value?key=${encodeURIComponent(v.key)}&offset=${encodeURIComponent(String(v.next))}`);
      if (!item.li?.isConnected) return;
      if (chunk.size !== v.size) {
        say(note, 'The value changed since it was read: it is shown again as it is now.');
        return;
      }
      if (v.type === 'string') {
        v.pre.append(chunk.text);
        v.shown = chunk.next ?? v.size;
      } else {
        const fresh = chunk.rows.map((row, i) => ({ row, i })).filter(({ row }) => (v.type === 'hash' || v.type === 'set' ? !seen.has(row[0]) : true));
        for (const { row } of fresh) seen.add(row[0]);
        const cut = (chunk.cut ?? []).flatMap((c) => {
          const at = fresh.findIndex((f) => f.i === c.row);
          return at < 0 ? [] : [{ ...c, row: at }];
        });
        const trs = (v.render ?? ((rows, c) => rowsOf(v.type, rows, c)))(fresh.map((f) => f.row), cut);
        // A stream's older entries go above the ones shown (oldest first); the rest below.
        if (v.type === 'stream') v.tbody.prepend(...trs);
        else v.tbody.append(...trs);
        v.shown = v.type === 'hash' || v.type === 'set' ? seen.size : v.shown + fresh.length;
        if (chunk.next === null) v.shown = Math.max(v.shown, v.size);
      }
      v.next = chunk.next;
      say(note, shownText(v.type, v.shown, v.size));
      if (v.next === null) {
        const hadFocus = document.activeElement === button;
        button.remove();
        if (hadFocus) {
          note.tabIndex = -1;
          note.focus({ preventScroll: true });
        }
      }
    } catch (err) {
      say(note, err.message);
    } finally {
      busy = false;
      button.removeAttribute('aria-busy');
    }
  };
  return [note, button];
}

/** A stream entry's fields, one `field: value` a line. */
function pairsText(flat) {
  const lines = [];
  for (let i = 0; i + 1 < flat.length; i += 2) lines.push(`${flat[i]}: ${flat[i + 1]}`);
  return lines.join('\n');
}

/** One key's list item; its TTL span is kept to be updated in place. */
function keyItem(k, sig, open) {
  const ttl = h('span', { class: 'ttl' }, ttlText(k.ttl));
  const item = { sig };
  const value = valueOf(k);
  const li = h(
    'li',
    { class: 'redis-key', 'data-key': k.key, 'data-type': k.type },
    h(
      'details',
      { open },
      h(
        'summary',
        {},
        keyCode(k.key),
        ' ',
        h('span', { class: 'key-type' }, k.type),
        ' ',
        h(
          'span',
          { class: 'key-meta' },
          k.size !== undefined && h('span', { class: 'key-size' }, counted(k.size, types[k.type]?.unit ?? ['', ''])),
          k.size !== undefined && ' · ',
          ttl,
        ),
      ),
      value,
      ...partialOf(k, item, value),
      k.note && k.rows && h('p', { class: 'note' }, k.note),
      h('p', { class: 'cli' }, command(k.cli)),
    ),
  );
  return Object.assign(item, { li, ttl, details: li.firstChild });
}

/** How much of a key is shown, with "Show more" when more can be read (not when this Redis refuses scripts). */
function partialOf(k, item, value) {
  if (!k.partial || !types[k.type]) return [];
  if (k.type === 'string') return showMore(item, { key: k.key, type: 'string', size: k.size, shown: k.shownBytes ?? new TextEncoder().encode(k.value).length, next: k.shownBytes, pre: value });
  if (!k.rows) return [];
  const tbody = value.querySelector('tbody');
  // A list's or zset's next index; a hash's or set's SCAN from the start; a stream's entries before the oldest shown.
  const next = k.type === 'list' || k.type === 'zset' ? k.rows.length : k.type === 'stream' ? k.rows[0][0] : 0;
  return showMore(item, { key: k.key, type: k.type, size: k.size, shown: k.rows.length, next, tbody, rows: k.rows });
}

/**
 * A command in a <code>, each word unbroken when it fits the line: never `redis-cli -p 6380 -`
 * on one line and `-scan` on the next. The text is the command as it is, to copy.
 */
function command(text, attrs = {}) {
  return h('code', attrs, ...text.split(/( +)/).map((part) => (part.trim() ? h('span', { class: 'word' }, part) : part)));
}

/**
 * Makes `nodes` a parent's children, moving only what is out of place: an element
 * taken out and put back loses its scroll position, and the focus.
 */
function setChildren(parent, nodes) {
  const wanted = new Set(nodes);
  for (const kid of [...parent.children]) if (!wanted.has(kid)) kid.remove();
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] ?? null);
  });
}

let keyItems = new Map();
const groups = new Map();

function groupOf(type) {
  let g = groups.get(type);
  if (!g) {
    const id = `keys-${typeOrder.includes(type) ? type : 'other'}`;
    const count = h('span', { class: 'n' });
    const ul = h('ul', { class: 'keys-list', 'aria-labelledby': id });
    g = { section: h('section', { class: 'key-group', 'data-type': type }, h('h4', { id }, groupName(type), ' ', count), ul), ul, count };
    groups.set(type, g);
  }
  return g;
}

/**
 * Every other key, grouped by type. Redrawn in place: a key whose value is the
 * same keeps its element (open or closed, scrolled, focused) and only its TTL
 * moves; a changed key is drawn again; a deleted one goes.
 */
function showKeys(snap) {
  const keys = snap.keys ?? [];
  const box = $('keys');
  $('keys-box').hidden = !keys.length;
  if ($('keys-cli').textContent !== (snap.keysCli || '')) $('keys-cli').replaceWith(command(snap.keysCli || '', { id: 'keys-cli' }));
  const byType = new Map();
  for (const k of keys) {
    if (!byType.has(k.type)) byType.set(k.type, []);
    byType.get(k.type).push(k);
  }
  const kinds = [...byType.keys()].sort((a, b) => (typeOrder.indexOf(a) + 1 || 99) - (typeOrder.indexOf(b) + 1 || 99));
  const parts = kinds.map((t) => counted(byType.get(t).length, names(t)));
  $('keys-note').textContent = keys.length
    ? `${counted(keys.length, ['key', 'keys'])}: ${parts.join(', ')}${snap.keysTruncated ? ` (the first ones only: Redis holds ${snap.keysTotal > keys.length ? number(snap.keysTotal) : 'more'} keys)` : ''}.`
    : '';
  const focused = focusedKey(box);
  const openByDefault = keys.length <= 6;
  const next = new Map();
  for (const k of keys) {
    const sig = JSON.stringify({ ...k, ttl: undefined });
    let item = keyItems.get(k.key);
    if (item?.sig === sig) say(item.ttl, ttlText(k.ttl));
    else {
      const old = item;
      item = keyItem(k, sig, old ? old.details.open : openByDefault);
      // In the old one's place, so its neighbours stay where they are.
      if (old?.li.isConnected && old.li.parentElement === groups.get(k.type)?.ul) old.li.replaceWith(item.li);
    }
    next.set(k.key, item);
  }
  keyItems = next;
  setChildren(
    box,
    kinds.map((type) => {
      const g = groupOf(type);
      say(g.count, `(${byType.get(type).length})`);
      setChildren(g.ul, byType.get(type).map((k) => keyItems.get(k.key).li));
      return g.section;
    }),
  );
  restoreFocus(box, focused);
}

/** The inspector's own words while Redis is not there, and its command once Redis is. */
export function inspectorRedis(redis) {
  if (redis.state === 'ready' && !$('inspector-cli').textContent) showCli(redis.cli);
  if (redis.state === 'unavailable') say($('inspector-note'), redis.message);
}

/** "Every session from a terminal:" with its command; the line is hidden while there is none (Redis down). */
function showCli(text) {
  if ($('inspector-cli').textContent !== text) $('inspector-cli').textContent = text;
  $('inspector-cli-line').hidden = !text;
}

/**
 * A key as a <code>: a line breaks after a separator (`sess:`, then the id),
 * never inside a part that fits a line (a session id's `-` would otherwise
 * be a break), so no lone character ends up on a line of its own. A part
 * too long for a phone's line (a learner's own long key) breaks between
 * pieces of even length.
 */
function keyCode(key, attrs = {}) {
  const parts = String(key).split(/(?<=[:/])/).flatMap(pieces);
  return h('code', { class: 'key', ...attrs }, ...parts.flatMap((p, i) => [i ? h('wbr') : null, h('span', { class: 'whole' }, p)]));
}

/** Characters of a key's part kept on one line: a session id (32 to 36) fits a phone's column. */
const maxWhole = 40;

/** A part longer than `maxWhole` in pieces of even length, at most half of it each: 52 characters as 18 + 18 + 16. */
function pieces(part) {
  if (part.length <= maxWhole) return [part];
  const n = Math.ceil(part.length / (maxWhole / 2));
  const size = Math.ceil(part.length / n);
  return Array.from({ length: Math.ceil(part.length / size) }, (_, i) => part.slice(i * size, (i + 1) * size));
}

/** `sess:AbCdEf…`: a session id is long and random; its first characters tell it from the others. */
function shortKey(key) {
  const cut = Math.max(key.lastIndexOf(':'), key.lastIndexOf('/')) + 1;
  return key.length - cut > 10 ? `${key.slice(0, cut + 6)}…` : key;
}

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** One event line: its time, then its words, each key shortened (the whole key in its title). */
function eventItem(e) {
  const words = e.parts.map((p) => (typeof p === 'string' ? p : keyCode(shortKey(p.key), { title: p.key, 'data-key': p.key })));
  return h(
    'li',
    { class: `event event-${e.kind}`, 'data-id': e.id, 'data-kind': e.kind },
    h('time', { datetime: new Date(e.at).toISOString() }, clock.format(e.at)),
    ' ',
    h('span', { class: 'what' }, ...words),
  );
}

let eventItems = new Map();

/**
 * What just happened, newest first (the runner keeps the last few). A line
 * keeps its element while its id is the same, so a refresh adds only new
 * lines: the list is a polite live region, and a screen reader says each new
 * line once. The lines there when the page opens are history, not news: the
 * region goes live after the first draw.
 */
function showEvents(events) {
  const list = $('inspector-events');
  // The list itself stays in the page, empty, so its first line is said too (a live region shown with its change is not).
  $('inspector-events-heading').hidden = !events.length;
  const next = new Map(events.map((e) => [e.id, eventItems.get(e.id) ?? eventItem(e)]));
  eventItems = next;
  setChildren(list, [...next.values()]);
  if (!list.hasAttribute('aria-live')) {
    list.setAttribute('aria-live', 'polite');
    list.setAttribute('aria-relevant', 'additions');
  }
}
