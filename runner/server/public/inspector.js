// What is in Redis: each session key with its TTL, its value, whose it is
// when a user is logged in, and the redis-cli command that shows the same;
// then the counters (failed logins, rate limits) with their TTLs. All of it
// is text, never markup.
import { post } from './api.js';
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

export function showInspector(snap) {
  $('inspector-cli').textContent = snap.listCli || '';
  const note = $('inspector-note');
  const users = snap.sessions.filter((s) => s.user).length;
  if (snap.error) say(note, snap.error);
  else if (!snap.sessions.length) say(note, 'No sessions yet. Once your app stores sessions in Redis, they appear here as you use it.');
  else say(note, `${snap.sessions.length} session${snap.sessions.length === 1 ? '' : 's'}${users ? `, ${users} with a user logged in` : ''}${snap.truncated ? ' (the first ones only: Redis holds many keys)' : ''}.`);
  const open = new Set([...document.querySelectorAll('#sessions details[open]')].map((d) => d.dataset.key));
  $('sessions').replaceChildren(
    ...snap.sessions.map((s) =>
      h(
        'li',
        { class: s.user ? 'session has-user' : 'session' },
        h(
          'details',
          { 'data-key': s.key, open: open.has(s.key) || snap.sessions.length <= 3 },
          h(
            'summary',
            {},
            s.user && h('span', { class: 'user' }, 'logged in: ', h('strong', {}, s.user)),
            s.user && ' ',
            h('code', { class: 'key' }, s.key),
            ' ',
            h('span', { class: 'ttl' }, ttlText(s.ttl)),
          ),
          h('pre', { class: 'value' }, s.value),
          h('p', { class: 'cli' }, h('code', {}, s.cli)),
        ),
      ),
    ),
  );
  showCounters(snap);
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
        h('code', { class: 'key' }, c.key),
        ' = ',
        h('span', { class: 'count' }, c.value),
        ' ',
        h('span', { class: 'ttl' }, ttlText(c.ttl)),
        h('p', { class: 'cli' }, h('code', {}, c.cli)),
      ),
    ),
  );
}

/** The header's words for Redis, and the button that starts it again when the workshop can. */
function statusParts(redis) {
  if (redis.state === 'ready') return { text: `Redis: ${redis.description}` };
  if (redis.state === 'starting') return { text: 'Redis: starting…' };
  if (redis.state === 'down') {
    if (!redis.canStart) return { text: `${redis.message} ${redis.todo}` };
    return { text: redis.message, button: redis.restarting ? 'Starting Redis…' : 'Start Redis again', busy: redis.restarting };
  }
  return { text: `Redis is not available. ${redis.message.split('\n')[0]}` };
}

let shownStatus = '';

async function startRedisAgain(button) {
  button.disabled = true;
  try {
    await post('/redis/start');
  } catch (err) {
    // The state event says it too; this covers a refusal that changes nothing.
    $('redis-status').firstChild.textContent = `${err.message} `;
    button.disabled = false;
  }
}

export function redisStatus(redis) {
  const el = $('redis-status');
  el.dataset.state = redis.state;
  const parts = statusParts(redis);
  // Rewritten only when it changes: a live region re-announces every rewrite.
  const key = JSON.stringify(parts);
  if (key !== shownStatus) {
    shownStatus = key;
    const text = h('span', {}, parts.text);
    if (!parts.button) el.replaceChildren(text);
    else el.replaceChildren(text, ' ', h('button', { type: 'button', id: 'redis-start', disabled: parts.busy, onclick: (e) => void startRedisAgain(e.currentTarget) }, parts.button));
  }
  el.title = redis.state === 'unavailable' ? redis.message : '';
  if (redis.state === 'ready' && !$('inspector-cli').textContent) $('inspector-cli').textContent = redis.cli;
  if (redis.state === 'unavailable') say($('inspector-note'), redis.message);
}
