// The page's keys beyond the slides' own (slides.js): `?` lists them all in
// a dialog (as Slidev and epicshop do); V verifies; A, R, C, W bring the app,
// Redis, the checks or the workspace into view. None fires while typing or
// with a modifier, so the browser's and the screen reader's keys stay theirs.
import { $ } from './dom.js';
import { showPane } from './layout.js';

const typing = (t) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

/** Focuses the first control of a pane, so the keyboard is where the eyes are. */
function focusIn(name) {
  const first = {
    app: () => $('app-frame').hidden ? $('reload-app') : $('app-frame'),
    redis: () => $('tab-redis'),
    checks: () => $('verify'),
    workspace: () => $('reset-step'),
  }[name]?.();
  first?.focus();
}

export function openShortcuts() {
  const dialog = /** @type {HTMLDialogElement} */ ($('shortcuts'));
  if (!dialog.open) dialog.showModal();
}

export function startShortcuts() {
  $('help').addEventListener('click', openShortcuts);
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || /** @type {HTMLDialogElement} */ ($('shortcuts')).open) return;
    const pane = { a: 'app', r: 'redis', c: 'checks', w: 'workspace' }[e.key];
    if (e.key === '?') openShortcuts();
    else if (e.key === 'v' && !(/** @type {HTMLButtonElement} */ ($('verify')).disabled)) {
      showPane('checks', { byLearner: true });
      $('verify').click();
    } else if (pane && !(pane === 'redis' && $('tab-redis').hidden)) {
      showPane(/** @type {any} */ (pane), { byLearner: true });
      focusIn(pane);
    } else return;
    e.preventDefault();
  });
}
