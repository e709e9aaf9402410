// The header's status: Redis's state (and the button that starts it again),
// said in one line that never grows the header.
import { post } from './api.js';
import { $, h } from './dom.js';

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
}
