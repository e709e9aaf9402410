// Where each part of the page sits. On a laptop the slides fill the left,
// the app sits top right and the tools (Redis, checks, workspace) are tabs
// below it, so the app and what it did in Redis are seen together. On a
// phone every part is a pane of its own, chosen from a bar at the bottom:
// the app and Redis are one tap apart, and the page is one screen tall.
import { $, h } from './dom.js';

/** The tools under the app, in tab order. */
const tools = ['redis', 'checks', 'workspace'];
const paneNames = { slides: 'Slides', app: 'App', redis: 'Redis', checks: 'Checks', workspace: 'Files' };
const phone = window.matchMedia('(max-width: 900px)');

let tool = 'checks';
let pane = 'slides';
/** The learner's own choice of tool: kept when a step without Redis hides its tab and one with Redis shows it again. */
let toolChosen = '';

const toolTab = (name) => /** @type {HTMLButtonElement} */ (document.querySelector(`#tools [data-tool="${name}"]`));
const available = (name) => !toolTab(name)?.hidden;

function apply() {
  for (const name of tools) {
    const selected = name === tool;
    const tab = toolTab(name);
    tab.setAttribute('aria-selected', String(selected));
    // One tab stop for the tab list (arrow keys move inside it).
    tab.tabIndex = selected ? 0 : -1;
    const panel = document.querySelector(`#tools [data-pane="${name}"]`);
    panel?.classList.toggle('chosen', selected);
  }
  document.body.dataset.pane = pane;
  for (const name of news) {
    if (!inView(name)) continue;
    news.delete(name);
    setBadge(name, '');
  }
  for (const b of document.querySelectorAll('#panes button')) {
    const on = b.getAttribute('data-pane') === pane;
    b.setAttribute('aria-current', on ? 'true' : 'false');
  }
}

/**
 * Brings a part of the page into view: a tool's tab on a laptop, its pane
 * on a phone. The page calls it too (a verify shows the checks); on a phone
 * it then moves only on the learner's own click or key, never under their
 * thumb while they read.
 * @param {'slides'|'app'|'redis'|'checks'|'workspace'} name
 * @param {{ byLearner?: boolean }} [how]
 */
export function showPane(name, how = {}) {
  const learner = how.byLearner ?? navigator.userActivation?.isActive ?? false;
  if (tools.includes(name) && available(name)) {
    tool = name;
    if (learner) toolChosen = name;
  }
  // The phone's pane is the phone's choice: a tab chosen on a laptop does not hide the slides when the window narrows.
  if (phone.matches && learner) pane = name;
  apply();
}

/** Which tools this step has: without Redis, no Redis tab (and the checks are shown instead). */
export function setTools({ redis }) {
  const tab = toolTab('redis');
  if (tab.hidden === !redis) return;
  tab.hidden = !redis;
  $('panes').querySelector('[data-pane="redis"]')?.toggleAttribute('hidden', !redis);
  if (!redis && tool === 'redis') tool = 'checks';
  if (!redis && pane === 'redis') pane = 'checks';
  // Redis comes back with a step that has it: its tab again, unless the learner chose another.
  if (redis && (!toolChosen || toolChosen === 'redis')) tool = 'redis';
  apply();
}

/** A short word on a tab ("✗ 4", "✓"), so a result is seen while another tool is shown. */
export function setBadge(name, text, tone = '') {
  for (const el of document.querySelectorAll(`[data-badge="${name}"]`)) {
    el.textContent = text;
    if (tone) /** @type {HTMLElement} */ (el).dataset.tone = tone;
    else delete (/** @type {HTMLElement} */ (el).dataset.tone);
  }
}

/** Is this tool in view now (its tab chosen on a laptop, its pane on a phone)? */
const inView = (name) => (phone.matches ? pane === name : tool === name);

/**
 * Something new happened in a tool that is not in view (a session changed
 * while the checks are shown): its tab says "new" until it is shown.
 */
export function noteNews(name) {
  if (inView(name)) return;
  news.add(name);
  setBadge(name, 'new', 'news');
}
const news = new Set();

/** Arrow keys, Home and End move along a tab list (WAI-ARIA tabs pattern); the slides' own keys stay out of it. */
function tabKeys(e) {
  const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  const shown = tools.filter(available);
  const at = shown.indexOf(tool);
  let next;
  if (e.key in keys) next = shown[(at + keys[e.key] + shown.length) % shown.length];
  else if (e.key === 'Home') next = shown[0];
  else if (e.key === 'End') next = shown[shown.length - 1];
  else return;
  e.preventDefault();
  e.stopPropagation();
  showPane(next, { byLearner: true });
  toolTab(next).focus();
}

export function startLayout() {
  // The phone's bar: one button per pane, each with the tab's badge.
  $('panes').replaceChildren(
    ...Object.entries(paneNames).map(([name, label]) =>
      h(
        'button',
        { type: 'button', 'data-pane': name, 'aria-controls': name === 'slides' ? null : `${name === 'workspace' ? 'ws' : name}-panel`, onclick: () => showPane(/** @type {any} */ (name), { byLearner: true }) },
        label,
        tools.includes(name) ? h('span', { class: 'badge', 'data-badge': name }) : null,
      ),
    ),
  );
  $('checks-badge').dataset.badge = 'checks';
  for (const name of tools) toolTab(name).addEventListener('click', () => showPane(/** @type {any} */ (name), { byLearner: true }));
  document.querySelector('#tools [role="tablist"]')?.addEventListener('keydown', tabKeys);
  // Turning a phone to landscape (or zooming out) shows both columns again: nothing stays hidden.
  phone.addEventListener('change', apply);
  apply();
}
