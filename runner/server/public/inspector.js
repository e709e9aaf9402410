// What is in Redis: each session key with its TTL, its value, whose it is
// when a user is logged in, and the redis-cli command that shows the same;
// then the counters (failed logins, rate limits) with their TTLs. All of it
// is text, never markup.
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

export function showInspector(snap) {
  $('inspector-cli').textContent = snap.listCli || '';
  const note = $('inspector-note');
  const users = snap.sessions.filter((s) => s.user).length;
  if (snap.error) note.textContent = snap.error;
  else if (!snap.sessions.length) note.textContent = 'No sessions yet. Once your app stores sessions in Redis, they appear here as you use it.';
  else note.textContent = `${snap.sessions.length} session${snap.sessions.length === 1 ? '' : 's'}${users ? `, ${users} with a user logged in` : ''}${snap.truncated ? ' (the first ones only: Redis holds many keys)' : ''}.`;
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

export function redisStatus(redis) {
  const el = $('redis-status');
  el.dataset.state = redis.state;
  if (redis.state === 'ready') el.textContent = `Redis: ${redis.description}`;
  else if (redis.state === 'starting') el.textContent = 'Redis: starting…';
  else el.textContent = `Redis is not available. ${redis.message.split('\n')[0]}`;
  el.title = redis.state === 'unavailable' ? redis.message : '';
  if (redis.state === 'ready' && !$('inspector-cli').textContent) $('inspector-cli').textContent = redis.cli;
  if (redis.state === 'unavailable') $('inspector-note').textContent = redis.message;
}
