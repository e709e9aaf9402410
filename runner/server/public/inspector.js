// What is in Redis: each session key with its TTL, its value and the
// redis-cli command that shows the same. All of it is text, never markup.
import { $, h } from './dom.js';

function ttlText(ttl) {
  if (ttl < 0) return 'never expires';
  const d = Math.floor(ttl / 86400);
  const hrs = Math.floor((ttl % 86400) / 3600);
  const min = Math.floor((ttl % 3600) / 60);
  const sec = ttl % 60;
  const parts = d ? [`${d}d`, `${hrs}h`] : hrs ? [`${hrs}h`, `${min}m`] : min ? [`${min}m`, `${sec}s`] : [`${sec}s`];
  return `expires in ${parts.join(' ')} (TTL ${ttl})`;
}

export function showInspector(snap) {
  $('inspector-cli').textContent = snap.listCli || '';
  const note = $('inspector-note');
  if (snap.error) note.textContent = snap.error;
  else if (!snap.sessions.length) note.textContent = 'No sessions yet. Once your app stores sessions in Redis, they appear here as you use it.';
  else note.textContent = `${snap.sessions.length} session${snap.sessions.length === 1 ? '' : 's'}${snap.truncated ? ' (the first ones only: Redis holds many keys)' : ''}.`;
  const open = new Set([...document.querySelectorAll('#sessions details[open]')].map((d) => d.dataset.key));
  $('sessions').replaceChildren(
    ...snap.sessions.map((s) =>
      h(
        'li',
        { class: 'session' },
        h(
          'details',
          { 'data-key': s.key, open: open.has(s.key) || snap.sessions.length <= 3 },
          h('summary', {}, h('code', { class: 'key' }, s.key), ' ', h('span', { class: 'ttl' }, ttlText(s.ttl))),
          h('pre', { class: 'value' }, s.value),
          h('p', { class: 'cli' }, h('code', {}, s.cli)),
        ),
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
