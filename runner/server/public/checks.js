// Checks: Verify runs the step's checks on the workspace; each result
// arrives as it completes (over the event stream) and the summary is
// announced to screen readers. Hints link to the slide that teaches them.
import { get, post } from './api.js';
import { $, h, withFileLinks } from './dom.js';

const icons = { pass: '✓', passed: '✓', fail: '✗', failed: '✗', skip: '–', skipped: '–' };
let step = '';
let openFile = (_ref) => {};
let showSolution = () => {};

export function setCheckStep(name) {
  if (step === name) return;
  // Results of another step's run would mislead here: start clean.
  if (step && !/** @type {HTMLButtonElement} */ ($('verify')).disabled) {
    $('check-list').replaceChildren();
    $('verify-summary').textContent = '';
    $('after-pass').hidden = true;
  }
  step = name;
  $('verify').textContent = `Verify ${name}`;
  $('skip').textContent = `Skip ${name}`;
}

function resultItem(r) {
  const status = String(r.status);
  const ok = status.startsWith('pass');
  return h(
    'li',
    { class: `check ${ok ? 'ok' : status.startsWith('fail') ? 'bad' : 'skipped'}` },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icons[status] ?? '?'),
    h('span', { class: 'visually-hidden' }, `${ok ? 'Passed' : status.startsWith('fail') ? 'Failed' : 'Skipped'}: `),
    h('strong', { class: 'title' }, r.title ?? r.id),
    r.message ? h('p', { class: 'message' }, withFileLinks(String(r.message), openFile)) : null,
    r.hint ? h('p', { class: 'hint' }, 'Hint: ', withFileLinks(String(r.hint), openFile)) : null,
    r.slide?.deck && r.slide?.slide
      ? h('p', { class: 'slide-link' }, h('a', { href: `#/${r.slide.deck}/${r.slide.slide}` }, `See slide ${r.slide.slide}${r.slide.title ? `: ${r.slide.title}` : ''}`))
      : null,
  );
}

export function verifyStarted({ step: name, plan = [] }) {
  // What is coming, greyed out until each result arrives.
  $('check-list').replaceChildren(
    ...plan.map((c) => h('li', { class: 'check pending' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '…'), h('span', { class: 'title' }, c.title))),
  );
  $('after-pass').hidden = true;
  $('verify-summary').textContent = `Checking ${name}…`;
  /** @type {HTMLButtonElement} */ ($('verify')).disabled = true;
}

export function checkDone({ result, index }) {
  const list = $('check-list');
  const pending = typeof index === 'number' ? list.children[index] : undefined;
  if (pending) pending.replaceWith(resultItem(result));
  else list.append(resultItem(result));
}

export function verifyEnded({ step: name, report, error }) {
  /** @type {HTMLButtonElement} */ ($('verify')).disabled = false;
  const summary = $('verify-summary');
  if (error || !report) {
    summary.textContent = error ?? 'The checks could not run.';
    summary.dataset.result = 'error';
    return;
  }
  // Results that arrived before this page connected are filled in from the report.
  const list = $('check-list');
  if (list.querySelector('.pending') || list.children.length !== report.checks.length) list.replaceChildren(...report.checks.map(resultItem));
  const passed = report.failed === 0 && report.passed > 0;
  summary.textContent = `${name}: ${report.passed} passed, ${report.failed} failed${passed ? '. Well done!' : '.'}`;
  summary.dataset.result = passed ? 'passed' : 'failed';
  $('after-pass').hidden = !passed;
  $('diff').hidden = true;
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

/**
 * @param {(ref: string) => void} open opens a file reference in the editor
 * @param {() => void} solution shows the solution app
 */
export function startChecks(open, solution) {
  openFile = open;
  showSolution = solution;
  $('verify').addEventListener('click', async () => {
    try {
      await post('/verify', { step });
    } catch (err) {
      $('verify-summary').textContent = err.message;
    }
  });
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
}

export function setWatch(on) {
  /** @type {HTMLInputElement} */ ($('watch')).checked = on;
}
