// The running app beside the slides: your app or the step's solution in an
// iframe, its URL, its state and its recent log lines (so a crash shows at once).
import { post } from './api.js';
import { $, h, withFileLinks } from './dom.js';

let which = 'workspace';
const statuses = new Map();
const logs = { workspace: [], solution: [] };
const shownIn = { url: '', starts: -1, id: '' };

const stateText = {
  stopped: 'stopped',
  starting: 'starting…',
  running: 'running',
  crashed: 'crashed',
  'not-listening': 'not listening',
  missing: 'missing',
};

function render() {
  const s = statuses.get(which);
  $('show-workspace').setAttribute('aria-pressed', String(which === 'workspace'));
  $('show-solution').setAttribute('aria-pressed', String(which === 'solution'));
  const frame = /** @type {HTMLIFrameElement} */ ($('app-frame'));
  const label = which === 'workspace' ? 'Your app' : 'The step solution';
  const stateEl = $('app-state');
  if (!s) {
    stateEl.textContent = `${label}: starting…`;
    return;
  }
  const link = /** @type {HTMLAnchorElement} */ ($('app-url'));
  link.href = s.url;
  link.textContent = s.url;
  stateEl.textContent = `${label} (${s.dir}): ${stateText[s.state] ?? s.state}${s.message ? `. ${s.message}` : ''}`;
  stateEl.dataset.state = s.state;
  // Reload the frame when it shows another app, or the app came back up.
  if (s.state === 'running' && (shownIn.id !== which || shownIn.starts !== s.starts || shownIn.url !== s.url)) {
    frame.src = s.url;
    Object.assign(shownIn, { url: s.url, starts: s.starts, id: which });
  }
  renderLog();
}

let openFile = (_ref) => {};

function renderLog() {
  const pre = $('app-log');
  // Text only; file names in errors and stack traces open in the editor.
  pre.replaceChildren(
    ...logs[which].slice(-40).map((l) =>
      h('span', { class: `log-line ${l.stream}` }, l.stream === 'runner' ? `» ${l.text}` : withFileLinks(l.text, openFile), '\n'),
    ),
  );
  pre.scrollTop = pre.scrollHeight;
}

export function showApp(id) {
  which = id;
  render();
}

export function appStatuses(apps) {
  for (const a of apps) statuses.set(a.id, a);
  render();
}

export function appLogs({ app, lines }) {
  logs[app] = lines;
  if (app === which) renderLog();
}

export function appLog(line) {
  const list = logs[line.app];
  list.push(line);
  if (list.length > 200) list.splice(0, list.length - 200);
  if (line.app === which) renderLog();
}

/** @param {(ref: string) => void} open */
export function startAppPane(open) {
  openFile = open;
  $('show-workspace').addEventListener('click', () => showApp('workspace'));
  $('show-solution').addEventListener('click', () => showApp('solution'));
  $('reload-app').addEventListener('click', () => {
    const s = statuses.get(which);
    if (!s) return;
    // A stopped or crashed app is restarted; a running one just reloaded.
    if (s.state === 'running') /** @type {HTMLIFrameElement} */ ($('app-frame')).src = s.url;
    else void restartApp(which).catch((err) => ($('app-state').textContent = err.message));
  });
  render();
}

export const restartApp = (id) => post(`/apps/${id}/restart`);
