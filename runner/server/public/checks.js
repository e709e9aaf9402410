// Checks: Verify runs the step's checks on the workspace; each result
// arrives as it completes (over the event stream). Failures come first, each
// in full; the passes and the skips fold into one line each, so the first
// failure sits under the summary however long the step's list. Results only
// ever add to the list below what is already shown: it never jumps while a
// run goes on. The runner keeps each step's last result, so leaving a step
// and coming back shows it again, marked stale when the workspace changed.
import { get, post } from './api.js';
import { $, h } from './dom.js';
import { linkFiles, richText } from './files.js';
import { current } from './slides.js';
import { stepWords } from './words.js';

const icons = { pass: '✓', passed: '✓', fail: '✗', failed: '✗', skip: '–', skipped: '–' };
/** The step whose checks are shown: the one the learner works on. */
let step = '';
/** The run under way, as seen from this page: { step, plan, results, running }. */
let live;
/** The learner pressed Verify here: the first failure (or the summary) may take the focus when the run ends. */
let clicked = false;
let showSolution = () => {};
/** The results the list shows, by their place in the step's plan. */
let listed = [];
/** Which folded groups the learner opened: a new run keeps them open. */
const opened = { passed: false, skipped: false };

/** A run of this step's checks is under way: its live results are shown, not the kept ones. */
const runningHere = (name) => live?.running === true && live.step === name;
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const kindOf = (r) => (String(r.status).startsWith('pass') ? 'passed' : String(r.status).startsWith('fail') ? 'failed' : 'skipped');

function clearResults() {
  startList();
  $('check-list').classList.remove('stale');
  const summary = $('verify-summary');
  summary.textContent = '';
  delete summary.dataset.result;
  $('verify-stale').hidden = true;
  $('after-pass').hidden = true;
}

/** Shows the checks of `name`: the step the learner works on (a step tab, "Work on stepN", the page's address when it loads). */
export function setCheckStep(name) {
  if (step === name) return;
  step = name;
  $('verify').textContent = `Verify ${name}`;
  closeDiff();
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
  // A link into another step's deck says so: it shows that slide, and the checks stay here.
  const where = slide.deck === step ? `slide ${slide.slide}` : `${stepWords(slide.deck)}, slide ${slide.slide}`;
  return h('p', { class: 'slide-link' }, h('a', { href: `#/${slide.deck}/${slide.slide}` }, `See ${where}${slide.title ? `: ${slide.title}` : ''}`));
}

/**
 * A message or hint. Prose stays prose (`code` as code, files as buttons);
 * indented lines (a crash's stderr with its `^` under the fault, the start of
 * a page) are shown as printed: monospace, whitespace kept. All of it text.
 * @param {string} text
 * @param {string} cls
 * @param {string} [prefix] "Hint: "
 */
function textBlock(text, cls, prefix = '') {
  const lines = String(text).replace(/\s+$/, '').split('\n');
  if (lines.length === 1) return h('p', { class: cls }, prefix, richText(text));
  const box = h('div', { class: cls });
  let output = [];
  const flush = () => {
    if (!output.length) return;
    const indent = Math.min(...output.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)[0].length));
    box.append(h('pre', { class: 'output' }, linkFiles(output.map((l) => l.slice(indent)).join('\n'))));
    output = [];
  };
  for (const line of lines) {
    // A blank line inside printed output belongs to it.
    if (/^\s/.test(line) || (!line && output.length)) output.push(line);
    else {
      flush();
      box.append(h('p', {}, box.childElementCount ? '' : prefix, richText(line)));
    }
  }
  flush();
  return box;
}

function resultItem(r) {
  const kind = kindOf(r);
  return h(
    'li',
    // A failure can take the focus: the run's end brings the first one to the learner.
    { class: `check ${kind === 'passed' ? 'ok' : kind === 'failed' ? 'bad' : 'skipped'}`, tabindex: kind === 'failed' ? '-1' : null },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icons[String(r.status)] ?? '?'),
    h('span', { class: 'visually-hidden' }, `${{ passed: 'Passed', failed: 'Failed', skipped: 'Skipped' }[kind]}: `),
    h('strong', { class: 'title' }, r.title ?? r.id),
    r.message ? textBlock(String(r.message), 'message') : null,
    r.hint ? textBlock(String(r.hint), 'hint', 'Hint: ') : null,
    slideLink(r.slide),
  );
}

/** One folded line for the passes or the skips, opening to their list. */
function group(kind) {
  const details = h('details', { open: opened[kind] || null }, h('summary', {}), h('ol', { class: 'checks' }));
  details.addEventListener('toggle', () => (opened[kind] = details.open));
  return h('li', { class: `group ${kind}`, hidden: true }, details);
}

/** The list, empty: the failures go first, then the folded passes and skips, then (while running) what is left. */
function startList() {
  listed = [];
  $('check-list').replaceChildren(group('passed'), group('skipped'));
}

function groupOf(kind) {
  return /** @type {HTMLElement} */ ($('check-list').querySelector(`:scope > li.group.${kind}`));
}

/** "✓ 19 passed", "– 13 skipped: a check they need failed" */
function labelGroup(kind) {
  const li = groupOf(kind);
  const items = listed.filter((r) => r && kindOf(r) === kind);
  li.hidden = items.length === 0;
  const why = kind === 'skipped' && items.every((r) => r.blockedBy) ? ': a check they need failed' : kind === 'skipped' ? ': see why' : '';
  li.querySelector('summary').replaceChildren(h('span', { class: 'icon', 'aria-hidden': 'true' }, icons[kind]), `${items.length} ${kind}${why}`);
}

/** Adds one result where it belongs: a failure after the failures above it, a pass or a skip into its folded group. */
function addResult(r, index) {
  listed[index] = r;
  const kind = kindOf(r);
  const item = resultItem(r);
  item.dataset.index = String(index);
  if (kind === 'failed') groupOf('passed').before(item);
  else groupOf(kind).querySelector('ol').append(item);
  if (kind !== 'failed') labelGroup(kind);
}

/** While a run goes on: how far it is, and which check runs now. */
function showProgress() {
  const list = $('check-list');
  let line = list.querySelector(':scope > li.progress');
  const done = live.results.filter(Boolean).length;
  const total = live.plan.length;
  if (!live.running || !total || done >= total) return line?.remove();
  if (!line) {
    line = h('li', { class: 'progress' }, h('progress', { max: String(total), 'aria-hidden': 'true' }), h('span', { class: 'now' }));
    list.append(line);
  }
  /** @type {HTMLProgressElement} */ (line.querySelector('progress')).value = done;
  line.querySelector('.now').textContent = `${done} of ${total} checked; now: ${live.plan[done]?.title ?? '…'}`;
}

function showLive() {
  startList();
  live.results.forEach((r, i) => r && addResult(r, i));
  showProgress();
  $('verify-summary').textContent = `Checking ${live.step}…`;
  delete $('verify-summary').dataset.result;
}

/** "step3: 11 passed, 2 failed, 7 skipped" */
function counts(name, report) {
  return `${name}: ${report.passed} passed, ${report.failed} failed${report.skipped ? `, ${report.skipped} skipped` : ''}`;
}

/** Whether the list already shows exactly these results (the live run that just ended): then nothing is rebuilt. */
const showsAlready = (checks) => checks.length === listed.length && checks.every((r, i) => JSON.stringify(r) === JSON.stringify(listed[i]));

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
    startList();
    summary.textContent = error ?? 'The checks could not run.';
    summary.dataset.result = 'error';
    $('after-pass').hidden = true;
    return;
  }
  if (!showsAlready(report.checks)) {
    startList();
    report.checks.forEach(addResult);
  }
  list.querySelector(':scope > li.progress')?.remove();
  const passed = report.failed === 0 && report.skipped === 0 && report.passed > 0;
  summary.textContent = `${counts(result.step, report)}${passed && !stale ? '. Well done!' : '.'}`;
  summary.dataset.result = stale ? 'stale' : passed ? 'passed' : 'failed';
  $('after-pass').hidden = !passed || Boolean(stale);
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
  addResult(result, index);
  showProgress();
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

/** The nearest box around `el` that scrolls (the checks' pane); undefined when only the page does. */
function scrollerOf(el) {
  for (let box = el.parentElement; box && box !== document.body && box !== document.documentElement; box = box.parentElement) {
    const { overflowY } = getComputedStyle(box);
    if (/auto|scroll/.test(overflowY) && box.scrollHeight > box.clientHeight) return box;
  }
  return undefined;
}

/**
 * Scrolls the pane holding `must` so that it is in view under the highest of
 * `tops` that leaves room for it (the panel's heading, else the summary),
 * else at the pane's top; never the whole page when a pane scrolls, so the
 * step tabs stay on screen.
 * @param {HTMLElement[]} tops
 * @param {HTMLElement} must
 */
function reveal(tops, must) {
  const pane = scrollerOf(must);
  if (!pane) return must.scrollIntoView({ block: 'nearest' });
  const box = pane.getBoundingClientRect();
  const fits = (el) => el.getBoundingClientRect().top >= box.top && el.getBoundingClientRect().bottom <= box.bottom;
  if (tops.some(fits) && fits(must)) return;
  for (const top of [...tops, must]) {
    pane.scrollTop += top.getBoundingClientRect().top - box.top - 8;
    if (fits(must)) return;
  }
}

/**
 * After a run: the first failure in view inside the checks' pane, under the
 * summary when both fit. After a click on Verify the first failure (or, when
 * nothing failed, the summary) also takes the focus; after a save it does
 * not, so typing elsewhere is never interrupted.
 */
function bringIntoView(byClick) {
  const summary = $('verify-summary');
  const first = /** @type {HTMLElement | null} */ ($('check-list').querySelector(':scope > li.check.bad'));
  // A failure can be long (a crash's output): its title is what must show.
  const must = /** @type {HTMLElement} */ (first?.querySelector('.title') ?? summary);
  reveal([/** @type {HTMLElement} */ (summary.closest('.panel')) ?? summary, summary], must);
  const active = document.activeElement;
  if (byClick && (!active || active === document.body || active === $('verify'))) (first ?? summary).focus({ preventScroll: true });
}

/** A patch line, marked by what it does: added, removed, a hunk's header. */
function diffLine(line) {
  const kind = line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
  return kind ? h('span', { class: kind }, line) : line;
}

/** The workspace against the solution ({ from, to, files: [{ path, status, binary, patch }] }), as text. */
function renderDiff(diff) {
  const files = Array.isArray(diff?.files) ? diff.files : [];
  if (!files.length) return [`Your workspace matches ${step}'s solution: no differences.`];
  const out = [`${files.length} ${files.length === 1 ? 'file differs' : 'files differ'} from ${step}'s solution (− yours, + the solution's):\n\n`];
  for (const f of files) {
    if (f.binary) {
      out.push(`${f.path}: a binary file, ${f.status}\n\n`);
      continue;
    }
    // The "Index:" and "====" lines of the patch say nothing a learner needs.
    const lines = String(f.patch ?? '').split('\n').filter((l) => !l.startsWith('Index:') && !/^=+$/.test(l));
    while (lines.length && !lines[lines.length - 1]) lines.pop();
    for (const l of lines) out.push(diffLine(l), '\n');
    out.push('\n');
  }
  return out;
}

function closeDiff() {
  $('diff').hidden = true;
  $('show-diff').setAttribute('aria-expanded', 'false');
  $('show-diff').textContent = 'Compare with the solution';
}

/** "Compare with the solution", at any time: read anew on each opening, as the workspace changes. */
async function toggleDiff() {
  const pre = $('diff');
  if (!pre.hidden) return closeDiff();
  const button = $('show-diff');
  button.setAttribute('aria-expanded', 'true');
  button.textContent = 'Hide the comparison';
  pre.hidden = false;
  pre.replaceChildren(`Comparing your workspace with ${step}'s solution…`);
  try {
    const { diff } = await get(`/diff/${step}`);
    pre.replaceChildren(...renderDiff(diff));
  } catch (err) {
    pre.replaceChildren(err.message);
  }
  // The pane keeps what was in view when the diff grows (scroll anchoring): its start, under the button, is what to see.
  reveal([button], button);
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
 * Verify button does the same from here (on the step worked on; a look at
 * another step's slide gets none).
 */
function offerVerifyOnSlides() {
  const slide = $('slide');
  const add = () => {
    if (current().step !== step) return;
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
  $('show-diff').addEventListener('click', () => void toggleDiff());
  $('see-solution').addEventListener('click', () => showSolution());
  offerVerifyOnSlides();
}

export function setWatch(on) {
  /** @type {HTMLInputElement} */ ($('watch')).checked = on;
}
