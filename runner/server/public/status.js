// The header's status: Redis's state in a few words (and the button that
// starts it again), one line that never grows the header. The whole
// sentence is its tooltip; the Redis tab says it in full. When Redis comes
// back it says so for a moment; when the runner is gone, it says that
// nothing is known rather than keep the last good word.
import { post } from './api.js';
import { $, h } from './dom.js';

const backFor = 8000;
let last = { state: '', at: 0 };
let runnerGone = false;
let lastRedis;

/** The header's words for Redis, and the button that starts it again when the workshop can. */
function statusParts(redis, back) {
  if (redis.state === 'ready') return { text: back ? 'Redis is back' : 'Redis running', title: `Redis: ${redis.description}` };
  if (redis.state === 'starting') return { text: 'Redis starting…', title: 'Redis: starting…' };
  if (redis.state === 'down') {
    const title = redis.canStart ? redis.message : `${redis.message} ${redis.todo}`;
    if (!redis.canStart) return { text: 'Redis stopped', title };
    return { text: 'Redis stopped', title, button: redis.restarting ? 'Starting…' : 'Start Redis again', busy: redis.restarting };
  }
  return { text: 'No Redis', title: `Redis is not available. ${redis.message}` };
}

let shownStatus = '';

async function startRedisAgain(button) {
  button.disabled = true;
  try {
    await post('/redis/start');
  } catch (err) {
    // The state event says it too; this covers a refusal that changes nothing.
    $('redis-status').title = err.message;
    $('redis-status').firstChild.textContent = 'Redis not started ';
    button.disabled = false;
  }
}

/** The whole sentence, and the button, at the top of the Redis tab: what the header can only name. */
function renderProblem(parts, redis) {
  const box = $('redis-problem');
  const problem = !runnerGone && (redis.state === 'down' || redis.state === 'unavailable');
  box.hidden = !problem;
  if (!problem) return box.replaceChildren();
  const key = `${parts.title}|${parts.button ?? ''}|${parts.busy ?? ''}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(
    h('p', {}, parts.title),
    parts.button ? h('button', { type: 'button', disabled: parts.busy, onclick: (e) => void startRedisAgain(e.currentTarget) }, parts.button) : null,
  );
}

function render() {
  const el = $('redis-status');
  const redis = lastRedis;
  if (!redis) return;
  if (runnerGone) {
    el.dataset.state = 'unknown';
    delete el.dataset.back;
    const key = 'gone';
    if (key !== shownStatus) {
      shownStatus = key;
      el.replaceChildren(h('span', {}, 'Redis: not known'));
    }
    el.title = 'The workshop runner stopped: Redis and the apps are not watched. Start it again with npm run workshop.';
    $('redis-problem').hidden = true;
    return;
  }
  const back = redis.state === 'ready' && Date.now() - last.at < backFor && last.state !== '';
  el.dataset.state = redis.state;
  el.toggleAttribute('data-back', back);
  const parts = statusParts(redis, back);
  // Rewritten only when it changes: a live region re-announces every rewrite.
  const key = JSON.stringify(parts);
  if (key !== shownStatus) {
    shownStatus = key;
    const text = h('span', {}, parts.text);
    if (!parts.button) el.replaceChildren(text);
    else el.replaceChildren(text, ' ', h('button', { type: 'button', id: 'redis-start', disabled: parts.busy, onclick: (e) => void startRedisAgain(e.currentTarget) }, parts.button));
  }
  el.title = parts.title;
  // Which Redis, and whose, where a touch screen can read it too (a tooltip alone is for mice).
  $('redis-which').textContent = redis.state === 'ready' ? parts.title : '';
  renderProblem(parts, redis);
}

export function redisStatus(redis) {
  const before = lastRedis?.state;
  lastRedis = redis;
  // Ready again after being down or unavailable (not the first start): "Redis is back", for a moment.
  if (redis.state === 'ready' && before && before !== 'ready' && before !== 'starting') {
    last = { state: before, at: Date.now() };
    setTimeout(render, backFor + 50);
  }
  render();
}

/** The page lost (or found again) the runner's event stream. */
export function statusRunnerGone(gone) {
  if (runnerGone === gone) return;
  runnerGone = gone;
  shownStatus = '';
  render();
}
