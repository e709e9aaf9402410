// The workshop page: wires the slides, the app pane, the checks, the Redis
// inspector and the workspace tools to the runner's event stream.
import { get, listen, post } from './api.js';
import { $, h } from './dom.js';
import { current, forget, parseHash, show, slidesInspector, slidesState, startSlides } from './slides.js';
import { appLog, appLogs, appRunnerGone, appStatuses, showApp, startAppPane } from './apppane.js';
import { checkDone, resultChanged, setCheckStep, setWatch, startChecks, verifyEnded, verifyStarted } from './checks.js';
import { inspectorRedis, showInspector } from './inspector.js';
import { redisStatus, statusRunnerGone } from './status.js';
import { noteNews, setBadge, setTools, showPane, startLayout } from './layout.js';
import { startShortcuts } from './shortcuts.js';
import { roomChanged, startRoom } from './room.js';
import { setWorkspaceStep, startWorkspace, workspaceState } from './workspace.js';

let serverStep = '';
// The step the learner works on in this page: the checks, the workspace
// tools and the Redis inspector show it, and its last slide shown is kept.
// Only a step tab or "Work on stepN" chooses another (and moves the runner).
// The page's address when it loads (a link from elsewhere, a bookmark, a
// reload) is worked on here too, moving nothing until the learner says so.
// Any other step shown later (a check's "See step 1, slide 8", a slide's
// link, the history) is a look at it: the checks and the runner stay, and
// "Back to step4, slide 7" beside the slide controls returns.
let working = { step: '', n: 1 };
/** A step tab just clicked: the next step shown is chosen. */
let chosen = { step: '', at: 0 };

const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * What a step's tab says: the latest run of its checks, never an earlier
 * pass over a later failure (that pass is in its tooltip). A run from before
 * the workspace changed says "earlier".
 * @returns {{ tone: string, mark: string, words: string, says: string } | undefined}
 */
function tabMark(s) {
  const run = s.run;
  if (!run) return s.status === 'skipped' ? { tone: 'skipped', mark: '↷', words: 'skipped', says: 'skipped' } : undefined;
  const then = run.stale ? `, at ${clock(run.at)}, before your last change: verify again` : ` at ${clock(run.at)}`;
  const before = s.status === 'passed' && run.outcome !== 'passed' ? '; it passed before' : '';
  if (run.outcome === 'passed') return { tone: 'passed', mark: '✓', words: run.stale ? 'passed earlier' : 'passed', says: `its checks passed${then}` };
  if (run.outcome === 'error') return { tone: 'failed', mark: '⚠', words: run.stale ? 'not run earlier' : 'could not run', says: `its checks could not run${then}${before}` };
  const n = run.failed || run.skipped;
  const what = run.failed ? (run.stale ? 'failed' : 'failing') : 'not checked';
  return { tone: 'failed', mark: '✗', words: `${n} ${what}${run.stale ? ' earlier' : ''}`, says: `${n} of its checks ${run.failed ? 'failed' : 'were not checked'}${then}${before}` };
}

function renderSteps(state) {
  // The links are made anew: the one the learner just chose keeps the focus.
  const focused = document.activeElement?.closest('#steps a')?.getAttribute('href');
  $('steps').replaceChildren(
    ...state.steps.map((s) => {
      const mark = tabMark(s);
      return h(
        'li',
        { class: `step ${mark?.tone ?? s.status}${s.run?.stale ? ' stale' : ''}` },
        h(
          'a',
          { href: `#/${s.name}/1`, 'aria-current': s.name === current().step ? 'step' : null, title: mark ? `${s.title}: ${mark.says}.` : s.title },
          h('span', { class: 'num' }, `${s.number}. `),
          h('span', { class: 'title' }, s.title),
          // Narrow, a tab keeps its mark and drops the words (checks.css): they stay for screen readers.
          mark ? h('span', { class: 'status' }, ' ', h('span', { class: 'mark' }, mark.mark), h('span', { class: 'words' }, ` ${mark.words}`)) : null,
        ),
      );
    }),
  );
  if (focused) $('steps').querySelector(`a[href="${focused}"]`)?.focus();
}

/** Redis's status and the inspector, for a step whose app has Redis (workshop.json's services). */
function showServices(state) {
  const step = state.steps.find((s) => s.name === working.step) ?? state.steps.find((s) => s.name === state.current);
  const redis = state.redis.state !== 'not-needed' && Boolean(step?.services.includes('redis'));
  $('redis-status').hidden = !redis;
  $('redis-panel').hidden = !redis;
  setTools({ redis });
}

/** The newest event line seen: a newer one while Redis is not in view marks its tab "new" (not the lines a page finds at load). */
let lastEvent;
function redisNews(snapshot) {
  const newest = snapshot.events?.[0]?.id;
  if (newest === undefined) return;
  if (lastEvent !== undefined && newest !== lastEvent) noteNews('redis');
  lastEvent = newest;
}

/** The Checks tab's word on the latest run: seen while Redis or the workspace is shown. */
const badges = {
  start: () => setBadge('checks', '…', 'busy'),
  end: ({ report, error }) => {
    if (error || !report) setBadge('checks', '!', 'bad');
    else if (report.failed > 0) setBadge('checks', `✗ ${report.failed}`, 'bad');
    else if (report.passed > 0 && report.skipped === 0) setBadge('checks', '✓', 'ok');
    else setBadge('checks', '');
  },
};

/**
 * The very first screen says where to start: a title slide alone does not.
 * Shown on the first step's first slide until any step is passed or skipped.
 */
function startHere() {
  const box = $('start-here');
  const first = lastState?.steps[0];
  const at = current();
  const fresh = Boolean(first) && lastState.steps.every((s) => s.status === 'todo') && at.step === first.name && at.n === 1;
  box.hidden = !fresh;
  if (!fresh || box.childElementCount) return;
  box.replaceChildren(
    h('strong', {}, 'Start here. '),
    'Turn the slides with → or Space; they tell you what to change in your app (the ',
    h('code', {}, 'workspace'),
    ' folder, in your own editor), which runs on the right. Verify checks it. ',
    h('kbd', {}, '?'),
    ' lists every key. ',
    h('button', { type: 'button', class: 'primary', onclick: () => void show(first.name, 2) }, 'Start →'),
  );
}

let lastState;
function onState(state) {
  lastState = state;
  slidesState(state);
  startHere();
  serverStep = state.current;
  showAway();
  renderSteps(state);
  if (state.redis.state !== 'not-needed') {
    redisStatus(state.redis);
    inspectorRedis(state.redis);
  }
  showServices(state);
  appStatuses(state.apps);
  setWatch(state.watch);
  workspaceState(state);
}

/** Makes `step` the runner's current step: its solution app, where the page starts next time. */
async function moveRunner(step) {
  serverStep = step;
  showAway();
  try {
    await post('/step', { step });
  } catch (err) {
    $('verify-summary').textContent = err.message;
  }
}

/** Says so when the page shows another step than the runner's, with the button that moves the runner. */
function showAway() {
  const step = current().step;
  const away = $('step-away');
  away.hidden = !serverStep || !step || step === serverStep;
  if (away.hidden) return away.replaceChildren();
  away.replaceChildren(
    `You are reading ${step}; the step solution app still runs ${serverStep}. `,
    h('button', { type: 'button', onclick: () => void workOn(step) }, `Work on ${step}`),
  );
}

/** Makes `step` the one worked on in this page: the checks, the workspace tools and Redis follow it. */
function setWorking(step, n) {
  working = { step, n };
  setCheckStep(step);
  setWorkspaceStep(step);
  showPeek();
  if (lastState) {
    renderSteps(lastState);
    showServices(lastState);
  }
}

/** "Work on stepN": the step shown becomes the one worked on, and the runner moves to it. */
async function workOn(step) {
  setWorking(step, current().step === step ? current().n : 1);
  await moveRunner(step);
}

/** While another step's slide is shown: the way back to the one worked on, beside the slide controls. */
function showPeek() {
  let bar = document.getElementById('peek');
  if (!bar) {
    bar = h('span', { id: 'peek', class: 'peek' });
    $('overview-toggle').after(bar);
  }
  const at = current();
  const peek = Boolean(working.step && at.step && at.step !== working.step);
  bar.hidden = !peek;
  if (!peek) return bar.replaceChildren();
  const back = async () => {
    await show(working.step, working.n);
    $('slide').focus();
  };
  bar.replaceChildren(h('button', { type: 'button', class: 'back', onclick: () => void back() }, `Back to ${working.step}, slide ${working.n}`));
}

/** The slide of the step worked on that "Back to" returns to: the last one shown. */
function keepWorkingSlide() {
  const at = current();
  if (at.step === working.step) working.n = at.n;
}

/** Shows a step the runner just moved to (a skip, its undo): it is the one worked on. */
function showChosen(step, n) {
  chosen = { step, at: performance.now() };
  return show(step, n);
}

/** Another step's deck is shown: chosen (a step tab, the page's first address) it is worked on; else it is a look. */
async function stepShown(step) {
  // A click shows its step at once (the deck may need loading): a choice a few seconds old is another's.
  const choseThis = chosen.step === step && performance.now() - chosen.at < 5000;
  chosen = { step: '', at: 0 };
  if (!working.step || choseThis) setWorking(step, current().n);
  else {
    showPeek();
    if (lastState) renderSteps(lastState);
  }
  if (serverStep && step !== serverStep && choseThis) await moveRunner(step);
  else showAway();
}

async function main() {
  // Capturing, so the choice is known before the link's hashchange shows the step.
  document.addEventListener(
    'click',
    (e) => {
      // Only a step tab chooses: a link to another step elsewhere (a check's, a slide's) is a look at it.
      const link = e.target instanceof Element ? e.target.closest('#steps a[href^="#/"]') : null;
      const to = link ? parseHash(link.getAttribute('href') ?? '') : undefined;
      if (!to) return;
      // A tab of the step on screen shows no other deck: it is chosen here.
      if (to.step === current().step) {
        if (to.step !== working.step || to.step !== serverStep) void workOn(to.step);
      } else chosen = { step: to.step, at: performance.now() };
    },
    true,
  );
  startLayout();
  startShortcuts();
  // File references open through files.js, which says a failure beside the click.
  startAppPane();
  startChecks(() => showApp('solution'));
  // Skip and Undo skip live with the workspace tools.
  startWorkspace({ current, show: showChosen, onState });
  // The room (issue 22): joining, and what is reported, at the bottom of the workspace tools.
  startRoom();
  const state = await get('/state');
  onState(state);
  await startSlides(state.current, stepShown);
  new MutationObserver(keepWorkingSlide).observe($('counter'), { childList: true, characterData: true, subtree: true });
  listen(
    {
      state: onState,
      logs: appLogs,
      log: appLog,
      inspector: (snapshot) => {
        showInspector(snapshot);
        slidesInspector(snapshot);
        redisNews(snapshot);
      },
      'verify-start': (e) => {
        badges.start();
        // The results are what the learner waits for: the Checks tab comes forward (on a phone, only if they pressed Verify).
        showPane('checks');
        verifyStarted(e);
      },
      check: checkDone,
      'verify-end': (e) => {
        badges.end(e);
        verifyEnded(e);
      },
      result: resultChanged,
      decks: forget,
      room: roomChanged,
    },
    (ok, message) => {
      const banner = $('connection');
      banner.hidden = ok;
      banner.textContent = message ?? '';
      // Without the runner nothing on the page is current: Redis's and the app's words say so.
      statusRunnerGone(!ok);
      appRunnerGone(!ok);
    },
  );
  // The counter changes exactly when a slide is shown.
  new MutationObserver(startHere).observe($('counter'), { childList: true, characterData: true, subtree: true });
  // A deep link that names no step still lands somewhere sensible.
  if (!parseHash(location.hash)) void show(state.current, 1);
}

void main();
