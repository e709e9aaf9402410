// Checks: Verify runs the step's checks on the workspace; each result
// arrives as it completes (over the event stream), and the summary is
// brought into view and announced. The runner keeps each step's last
// result, so leaving a step (a slide link, Back, a reload) and coming back
// shows it again, marked stale when the workspace changed since.
import { get, post } from './api.js';
import { $, h } from './dom.js';
import { richText } from './files.js';
import { scrollSideTo } from './apppane.js';
import { stepWords } from './words.js';

const icons = { pass: '✓', passed: '✓', fail: '✗', failed: '✗', skip: '–', skipped: '–' };
/** The step whose checks are shown. */
let step = '';
/** The run under way, as seen from this page: { step, plan, results, running }. */
let live;
/** The learner pressed Verify here: the summary may take the focus when it arrives. */
let clicked = false;
let showSolution = () => {};

/** A run of this step's checks is under way: its live results are shown, not the kept ones. */
const runningHere = (name) => live?.running === true && live.step === name;
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function clearResults() {
  $('check-list').replaceChildren();
  $('check-list').classList.remove('stale');
  const summary = $('verify-summary');
  summary.textContent = '';
  delete summary.dataset.result;
  $('verify-stale').hidden = true;
  $('after-pass').hidden = true;
}

export function setCheckStep(name) {
  if (step === name) return;
  step = name;
  $('verify').textContent = `Verify ${name}`;
  clearResults();
  if (runningHere(name)) return showLive();
  // The runner kept this step's last result: show it again.
  void get(`/results/${name}`)
    .then(({ result }) => {
      if (result && step === name && !runningHere(name)) showResult(result);
    })
    .catch(() => {});
}

function slideLink(slide) {
  if (!slide?.deck || !slide?.slide) return null;
  // A link into another step's deck says so: following it changes step.
  const where = slide.deck === step ? `slide ${slide.slide}` : `${stepWords(slide.deck)}, slide ${slide.slide}`;
  return h('p', { class: 'slide-link' }, h('a', { href: `#/${slide.deck}/${slide.slide}` }, `See ${where}${slide.title ? `: ${slide.title}` : ''}`));
}

function resultItem(r) {
  const status = String(r.status);
  const ok = status.startsWith('pass');
  const bad = status.startsWith('fail');
  return h(
    'li',
    { class: `check ${ok ? 'ok' : bad ? 'bad' : 'skipped'}` },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icons[status] ?? '?'),
    h('span', { class: 'visually-hidden' }, `${ok ? 'Passed' : bad ? 'Failed' : 'Skipped'}: `),
    h('strong', { class: 'title' }, r.title ?? r.id),
    r.message ? h('p', { class: 'message' }, richText(String(r.message))) : null,
    r.hint ? h('p', { class: 'hint' }, 'Hint: ', richText(String(r.hint))) : null,
    slideLink(r.slide),
  );
}

const pendingItem = (c) => h('li', { class: 'check pending' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '…'), h('span', { class: 'title' }, c.title));

function showLive() {
  $('check-list').replaceChildren(...live.plan.map((c, i) => (live.results[i] ? resultItem(live.results[i]) : pendingItem(c))));
  $('verify-summary').textContent = `Checking ${live.step}…`;
  delete $('verify-summary').dataset.result;
}

/** "step3: 11 passed, 2 failed, 7 skipped" */
function counts(name, report) {
  return `${name}: ${report.passed} passed, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`;
}

/** A step's result: { step, at, report?, error?, stale? }, from the runner. */
function showResult(result) {
  const summary = $('verify-summary');
  const list = $('check-list');
  const { report, error, stale } = result;
  const staleNote = $('verify-stale');
  staleNote.hidden = !stale;
  staleNote.textContent = stale ? `These results (checked at ${clock(result.at)}) are from before ${stale.what} at ${clock(stale.at)}: Verify again.` : '';
  list.classList.toggle('stale', Boolean(stale));
  if (error || !report) {
    list.replaceChildren();
    summary.textContent = error ?? 'The checks could not run.';
    summary.dataset.result = 'error';
    $('after-pass').hidden = true;
    return;
  }
  list.replaceChildren(...report.checks.map(resultItem));
  const passed = report.failed === 0 && report.skipped === 0 && report.passed > 0;
  summary.textContent = `${counts(result.step, report)}${passed && !stale ? '. Well done!' : '.'}`;
  summary.dataset.result = stale ? 'stale' : passed ? 'passed' : 'failed';
  $('after-pass').hidden = !passed || Boolean(stale);
  $('diff').hidden = true;
}

export function verifyStarted({ step: name, plan = [] }) {
  live = { step: name, plan, results: [], running: true };
  /** @type {HTMLButtonElement} */ ($('verify')).disabled = true;
  if (name !== step) return;
  clearResults();
  showLive();
}

export function checkDone({ step: name, result, index }) {
  if (!live || live.step !== name || typeof index !== 'number') return;
  live.results[index] = result;
  if (name !== step) return;
  const pending = $('check-list').children[index];
  if (pending) pending.replaceWith(resultItem(result));
}

export function verifyEnded({ step: name, report, error, at, stale }) {
  if (live?.step === name) live.running = false;
  /** @type {HTMLButtonElement} */ ($('verify')).disabled = false;
  const byClick = clicked;
  clicked = false;
  if (name !== step) return;
  showResult({ step: name, at: at ?? Date.now(), report, error, stale });
  bringIntoView(byClick);
}

/** The runner marked a kept result stale (the workspace changed): say so if it is shown. */
export function resultChanged(result) {
  if (result?.step !== step || runningHere(step)) return;
  showResult(result);
}

/**
 * The summary, scrolled into view inside the side panel (never the whole
 * page), with the checks' heading and toolbar above it when they fit.
 * After a click on Verify it also takes the focus (read by screen readers);
 * after a save it does not, so typing elsewhere is never interrupted.
 */
function bringIntoView(byClick) {
  const summary = $('verify-summary');
  scrollSideTo(summary.closest('.panel') ?? summary, summary);
  const active = document.activeElement;
  if (byClick && (!active || active === document.body || active === $('verify'))) summary.focus({ preventScroll: true });
}

function renderDiff(diff) {
  if (typeof diff === 'string') return diff || 'No differences: your workspace matches the solution.';
  const files = Array.isArray(diff) ? diff : Array.isArray(diff?.files) ? diff.files : undefined;
  if (!files) return JSON.stringify(diff, null, 2);
  if (!files.length) return 'No differences: your workspace matches the solution.';
  return files
    .map((f) => {
      const name = f.path ?? f.file ?? f.name ?? '';
      const body = f.patch ?? f.diff ?? (Array.isArray(f.lines) ? f.lines.map((l) => (typeof l === 'string' ? l : `${l.kind === 'add' ? '+' : l.kind === 'remove' ? '-' : ' '}${l.text ?? ''}`)).join('\n') : '');
      return `${f.status ? `${f.status}: ` : ''}${name}\n${body}`;
    })
    .join('\n\n');
}

async function verify() {
  clicked = true;
  try {
    await post('/verify', { step });
  } catch (err) {
    clicked = false;
    $('verify-summary').textContent = err.message;
  }
}

/**
 * "Your turn" slides say `npm run verify stepN`: beside that command, the
 * Verify button does the same from here.
 */
function offerVerifyOnSlides() {
  const slide = $('slide');
  const add = () => {
    for (const pre of slide.querySelectorAll('pre')) {
      if (!/npm run verify\b/.test(pre.textContent ?? '') || pre.nextElementSibling?.classList.contains('verify-here')) continue;
      pre.after(h('p', { class: 'verify-here' }, 'Or here: ', h('button', { type: 'button', onclick: () => void verify() }, `Verify ${step}`)));
    }
  };
  new MutationObserver(add).observe(slide, { childList: true });
  add();
}

/** @param {() => void} solution shows the solution app */
export function startChecks(solution) {
  showSolution = solution;
  $('verify-summary').tabIndex = -1;
  $('verify').addEventListener('click', () => void verify());
  $('watch').addEventListener('change', async (e) => {
    const on = /** @type {HTMLInputElement} */ (e.target).checked;
    try {
      await post('/watch', { on });
    } catch (err) {
      $('verify-summary').textContent = err.message;
    }
  });
  $('show-diff').addEventListener('click', async () => {
    const pre = $('diff');
    try {
      const { diff } = await get(`/diff/${step}`);
      pre.textContent = renderDiff(diff);
    } catch (err) {
      pre.textContent = err.message;
    }
    pre.hidden = false;
  });
  $('see-solution').addEventListener('click', () => showSolution());
  offerVerifyOnSlides();
}

export function setWatch(on) {
  /** @type {HTMLInputElement} */ ($('watch')).checked = on;
}
