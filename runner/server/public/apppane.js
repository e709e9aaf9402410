// The running app beside the slides: your app or the step's solution in an
// iframe, its URL, its state and its recent log lines (so a crash shows at once).
// When the app is down, the frame gives way to a page saying so, with the
// error's first line; the log is scrolled to where the error starts.
// Links in the slides to the app's usual address (127.0.0.1:3000) open here.
import { post } from './api.js';
import { $, h } from './dom.js';
import { linkFiles } from './files.js';
import { showPane } from './layout.js';

let which = 'workspace';
const statuses = new Map();
const logs = { workspace: [], solution: [] };
const shownIn = { url: '', starts: -1, id: '', path: '/' };
/** The runner's event stream is lost: nothing here is known any more. */
let runnerGone = false;
/** When each app last came back up after being down (ms), to say so for a moment. */
const backAt = new Map();
const backFor = 8000;

const stateText = {
  stopped: 'stopped',
  starting: 'starting…',
  running: 'running',
  crashed: 'crashed',
  'not-listening': 'not listening',
  missing: 'missing',
};

const down = new Set(['crashed', 'not-listening', 'missing']);
const labelOf = (id) => (id === 'workspace' ? 'Your app' : 'The step solution');

// Node's first line of an uncaught error: `SyntaxError: Unexpected token ')'`, `Error [ERR_…]: …`.
const errorLine = /^(?:[A-Z]\w*)?Error\b/;

/** This run's log lines (since the runner last started the app). */
function lastRun(lines) {
  let i = lines.length - 1;
  while (i >= 0 && !(lines[i].stream === 'runner' && lines[i].text.startsWith('$ '))) i--;
  return lines.slice(i + 1);
}

/** Where the error starts (its first stderr line, often `file:line`) and its `…Error: …` line. */
function errorOf(lines) {
  const run = lastRun(lines);
  const first = run.find((l) => l.stream === 'stderr');
  const error = run.find((l) => l.stream === 'stderr' && errorLine.test(l.text));
  return { first, error };
}

/** When the app is down, the frame gives way to what happened and the first line of the error. */
function showDown(s) {
  const frame = /** @type {HTMLIFrameElement} */ ($('app-frame'));
  const page = $('app-down');
  if (!s || !down.has(s.state)) {
    frame.hidden = false;
    page.hidden = true;
    return;
  }
  // What went wrong is in the log: open it.
  const log = /** @type {HTMLDetailsElement | null} */ ($('app-log').closest('details'));
  if (log) log.open = true;
  // The last good page would say the app works: blank it.
  if (!frame.hidden) frame.src = 'about:blank';
  frame.hidden = true;
  shownIn.starts = -1;
  const { first, error } = errorOf(logs[which]);
  const where = first && first !== error && /[\w.-]+\.\w+:\d+/.test(first.text) ? first.text : '';
  page.hidden = false;
  page.replaceChildren(
    h('p', { class: 'app-down-title' }, `${labelOf(which)} ${stateText[s.state] ?? s.state}.`),
    error ? h('pre', { class: 'app-down-error' }, linkFiles(error.text), where ? '\n' : '', where ? linkFiles(where) : '') : null,
    h('p', {}, s.message ?? 'See its log lines below.'),
  );
}

function render() {
  const s = statuses.get(which);
  $('show-workspace').setAttribute('aria-pressed', String(which === 'workspace'));
  $('show-solution').setAttribute('aria-pressed', String(which === 'solution'));
  const frame = /** @type {HTMLIFrameElement} */ ($('app-frame'));
  const label = labelOf(which);
  const stateEl = $('app-state');
  if (runnerGone) {
    // The last state would say "running" about an app nobody watches: say what is known.
    stateEl.textContent = `${label}: not known, the workshop runner stopped. Start it again with npm run workshop.`;
    stateEl.dataset.state = 'unknown';
    delete stateEl.dataset.back;
    return;
  }
  if (!s) {
    stateEl.textContent = `${label}: starting…`;
    return;
  }
  const link = /** @type {HTMLAnchorElement} */ ($('app-url'));
  link.href = s.url;
  // host:port is what a learner types or compares with a command; the link opens the app in a tab of its own.
  link.textContent = `${new URL(s.url).host} ↗`;
  link.title = `Open ${s.url} in a new tab`;
  const back = s.state === 'running' && Date.now() - (backAt.get(which) ?? 0) < backFor;
  // The folder in short (workspace, steps/step3); its whole path is the tooltip.
  const dir = String(s.dir ?? '').split(/[\\/]/).filter(Boolean);
  const short = which === 'workspace' ? dir.slice(-1).join('/') : dir.slice(-2).join('/');
  stateEl.textContent = `${label}${which === 'workspace' ? '' : ` (${short})`}: ${back ? 'running again' : (stateText[s.state] ?? s.state)}${s.message ? `. ${s.message}` : ''}`;
  stateEl.title = s.dir ?? '';
  stateEl.dataset.state = s.state;
  stateEl.toggleAttribute('data-back', back);
  showDown(s);
  // Reload the frame when it shows another app, or the app came back up.
  if (s.state === 'running' && (shownIn.id !== which || shownIn.starts !== s.starts || shownIn.url !== s.url)) {
    if (shownIn.id !== which) shownIn.path = '/';
    frame.src = new URL(shownIn.path, s.url).href;
    Object.assign(shownIn, { url: s.url, starts: s.starts, id: which });
  }
  renderLog();
}

function renderLog() {
  const pre = $('app-log');
  const lines = logs[which].slice(-40);
  // Folded, the log still shows its last line: a crash or "Redis: connected again" is seen at a glance.
  const last = lines.at(-1);
  $('app-log-last').textContent = last ? (last.stream === 'runner' ? `» ${last.text}` : last.text) : '';
  const s = statuses.get(which);
  const { first, error } = s && down.has(s.state) ? errorOf(lines) : {};
  const spans = new Map();
  // Text only; file names in errors and stack traces open in the editor.
  pre.replaceChildren(
    ...lines.map((l) => {
      const span = h('span', { class: `log-line ${l.stream}${l === error ? ' log-error' : ''}` }, l.stream === 'runner' ? `» ${l.text}` : linkFiles(l.text), '\n');
      spans.set(l, span);
      return span;
    }),
  );
  // A crash: show where the error starts, not the Node internals after it.
  const top = spans.get(first) ?? spans.get(error);
  if (!top) {
    pre.scrollTop = pre.scrollHeight;
    return;
  }
  const offset = (el) => el.getBoundingClientRect().top - pre.getBoundingClientRect().top + pre.scrollTop;
  pre.scrollTop = offset(top) - 4;
  const errorSpan = spans.get(error);
  // Too long a preamble to show both: the error's own line comes first.
  if (errorSpan && offset(errorSpan) + errorSpan.getBoundingClientRect().height > pre.scrollTop + pre.clientHeight) pre.scrollTop = offset(errorSpan) - 4;
}

export function showApp(id) {
  which = id;
  render();
}

export function appStatuses(apps) {
  for (const a of apps) {
    const before = statuses.get(a.id);
    // Up again after a crash or a stop: said for a moment, then plain "running".
    if (a.state === 'running' && before && before.state !== 'running' && before.state !== 'starting') {
      backAt.set(a.id, Date.now());
      setTimeout(render, backFor + 50);
    }
    statuses.set(a.id, a);
  }
  render();
}

/** The page lost (or found again) the runner: the app's state is unknown meanwhile. */
export function appRunnerGone(gone) {
  if (runnerGone === gone) return;
  runnerGone = gone;
  render();
}

export function appLogs({ app, lines }) {
  logs[app] = lines;
  if (app === which) render();
}

export function appLog(line) {
  const list = logs[line.app];
  list.push(line);
  if (list.length > 200) list.splice(0, list.length - 200);
  if (line.app === which) {
    // The error's lines arrive after the crash itself was reported.
    const s = statuses.get(which);
    if (s && down.has(s.state)) showDown(s);
    renderLog();
  }
}

/**
 * Scrolls the side panel (not the page: the step tabs stay in view) so
 * that `el` starts at its top, unless `must` is already wholly in view.
 * @param {Element} el
 * @param {Element} [must]
 */
export function scrollSideTo(el, must = el) {
  const side = el.closest('.tool-panel, .side');
  const scrolls = side && side.scrollHeight > side.clientHeight && getComputedStyle(side).overflowY !== 'visible';
  if (!scrolls) {
    must.scrollIntoView({ block: 'nearest' });
    return;
  }
  const box = side.getBoundingClientRect();
  const r = must.getBoundingClientRect();
  if (r.top >= box.top && r.bottom <= box.bottom) return;
  side.scrollTop += el.getBoundingClientRect().top - box.top - 8;
}

/** `http://127.0.0.1:3000/login` in a slide: the learner's own app, which the runner runs on another port. */
function appAddress(a) {
  try {
    const u = new URL(a.href);
    return /^(localhost|127\.0\.0\.1|\[::1\])$/.test(u.hostname) && u.port === '3000' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Clicks on links to the app's usual address show that page in the app pane; with a modifier, the real address in a new tab. */
function interceptAppLinks(root) {
  const follow = (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    const u = a && appAddress(a);
    if (!u) return;
    e.preventDefault();
    const s = statuses.get('workspace');
    const path = `${u.pathname}${u.search}${u.hash}`;
    if (e.type === 'auxclick' || e.ctrlKey || e.metaKey || e.shiftKey) {
      if (s) window.open(new URL(path, s.url).href, '_blank', 'noopener');
      return;
    }
    shownIn.path = path;
    which = 'workspace';
    if (s?.state === 'running') {
      /** @type {HTMLIFrameElement} */ ($('app-frame')).src = new URL(path, s.url).href;
      Object.assign(shownIn, { url: s.url, starts: s.starts, id: 'workspace' });
    }
    render();
    showPane('app', { byLearner: true });
  };
  root.addEventListener('click', follow);
  root.addEventListener('auxclick', (e) => e.button === 1 && follow(e));
}

export function startAppPane() {
  $('show-workspace').addEventListener('click', () => showApp('workspace'));
  $('show-solution').addEventListener('click', () => showApp('solution'));
  $('reload-app').addEventListener('click', () => {
    const s = statuses.get(which);
    if (!s) return;
    // A stopped or crashed app is restarted; a running one just reloaded.
    if (s.state === 'running') /** @type {HTMLIFrameElement} */ ($('app-frame')).src = new URL(shownIn.path, s.url).href;
    else void restartApp(which).catch((err) => ($('app-state').textContent = err.message));
  });
  interceptAppLinks($('slide'));
  render();
}

export const restartApp = (id) => post(`/apps/${id}/restart`);
