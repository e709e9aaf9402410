// The workshop page: wires the slides, the app pane, the checks, the Redis
// inspector and the workspace tools to the runner's event stream.
import { get, listen, post } from './api.js';
import { $, h } from './dom.js';
import { current, forget, parseHash, show, startSlides } from './slides.js';
import { appLog, appLogs, appStatuses, showApp, startAppPane } from './apppane.js';
import { checkDone, resultChanged, setCheckStep, setWatch, startChecks, verifyEnded, verifyStarted } from './checks.js';
import { inspectorRedis, showInspector } from './inspector.js';
import { redisStatus } from './status.js';
import { setWorkspaceStep, startWorkspace, workspaceState } from './workspace.js';

let serverStep = '';
// The step the learner chose in this page (a step tab, an entry of the
// overview, a slide's link to another step): only that moves the runner.
// An address from elsewhere (a link on another site, a bookmark, the
// history) shows its step and changes nothing until the learner says so.
let chosen = { step: '', at: 0 };

const statusMark = { passed: '✓ passed', skipped: '↷ skipped', todo: '' };

function renderSteps(state) {
  // The links are made anew: the one the learner just chose keeps the focus.
  const focused = document.activeElement?.closest('#steps a')?.getAttribute('href');
  $('steps').replaceChildren(
    ...state.steps.map((s) =>
      h(
        'li',
        { class: `step ${s.status}` },
        h(
          'a',
          { href: `#/${s.name}/1`, 'aria-current': s.name === current().step ? 'step' : null, title: s.title },
          h('span', { class: 'num' }, `${s.number}. `),
          h('span', { class: 'title' }, s.title),
          statusMark[s.status] ? h('span', { class: 'status' }, ` ${statusMark[s.status]}`) : null,
        ),
      ),
    ),
  );
  if (focused) $('steps').querySelector(`a[href="${focused}"]`)?.focus();
}

/** Redis's status and the inspector, for a step whose app has Redis (workshop.json's services). */
function showServices(state) {
  const step = state.steps.find((s) => s.name === current().step) ?? state.steps.find((s) => s.name === state.current);
  const redis = state.redis.state !== 'not-needed' && Boolean(step?.services.includes('redis'));
  $('redis-status').hidden = !redis;
  $('redis-panel').hidden = !redis;
}

let lastState;
function onState(state) {
  lastState = state;
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
    h('button', { type: 'button', onclick: () => void moveRunner(step) }, `Work on ${step}`),
  );
}

/** The slides decide which step the learner is on; the runner follows (solution app, checks) when the learner chose it. */
async function stepShown(step) {
  setCheckStep(step);
  setWorkspaceStep(step);
  if (lastState) {
    renderSteps(lastState);
    showServices(lastState);
  }
  // A click shows its step at once (the deck may need loading): a choice a few seconds old is another's.
  const choseThis = chosen.step === step && performance.now() - chosen.at < 5000;
  chosen = { step: '', at: 0 };
  if (serverStep && step !== serverStep && choseThis) await moveRunner(step);
  else showAway();
}

async function main() {
  // Capturing, so the choice is known before the link's hashchange shows the step.
  document.addEventListener(
    'click',
    (e) => {
      const link = e.target instanceof Element ? e.target.closest('a[href^="#/"]') : null;
      const to = link ? parseHash(link.getAttribute('href') ?? '') : undefined;
      if (to) chosen = { step: to.step, at: performance.now() };
    },
    true,
  );
  // File references open through files.js, which says a failure beside the click.
  startAppPane();
  startChecks(() => showApp('solution'));
  // Skip and Undo skip live with the workspace tools.
  startWorkspace({ current, show, onState });
  void import('./room.js').then((room) => room.startRoom()); // the room (issue 22): its own module, its own element
  const state = await get('/state');
  onState(state);
  await startSlides(state.current, stepShown);
  listen(
    {
      state: onState,
      logs: appLogs,
      log: appLog,
      inspector: showInspector,
      'verify-start': verifyStarted,
      check: checkDone,
      'verify-end': verifyEnded,
      result: resultChanged,
      decks: forget,
    },
    (ok, message) => {
      const banner = $('connection');
      banner.hidden = ok;
      banner.textContent = message ?? '';
    },
  );
  // A deep link that names no step still lands somewhere sensible.
  if (!parseHash(location.hash)) void show(state.current, 1);
}

void main();
