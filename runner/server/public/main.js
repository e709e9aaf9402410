// The workshop page: wires the slides, the app pane, the checks, the Redis
// inspector and the workspace tools to the runner's event stream.
import { get, listen, post } from './api.js';
import { $, h } from './dom.js';
import { current, forget, parseHash, show, startSlides } from './slides.js';
import { appLog, appLogs, appStatuses, showApp, startAppPane } from './apppane.js';
import { checkDone, resultChanged, setCheckStep, setWatch, startChecks, verifyEnded, verifyStarted } from './checks.js';
import { redisStatus, showInspector } from './inspector.js';
import { setWorkspaceStep, startWorkspace, workspaceState } from './workspace.js';

let serverStep = '';

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
          { href: `#/${s.name}/1`, 'aria-current': s.name === current().step ? 'step' : null },
          h('span', { class: 'num' }, `${s.number}. `),
          s.title,
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
  renderSteps(state);
  if (state.redis.state !== 'not-needed') redisStatus(state.redis);
  showServices(state);
  appStatuses(state.apps);
  setWatch(state.watch);
  workspaceState(state);
}

/** The slides decide which step the learner is on; the runner follows (solution app, checks). */
async function stepShown(step) {
  setCheckStep(step);
  setWorkspaceStep(step);
  if (lastState) {
    renderSteps(lastState);
    showServices(lastState);
  }
  if (serverStep && step !== serverStep) {
    serverStep = step;
    try {
      await post('/step', { step });
    } catch (err) {
      $('verify-summary').textContent = err.message;
    }
  }
}

async function main() {
  // File references open through files.js, which says a failure beside the click.
  startAppPane();
  startChecks(() => showApp('solution'));
  // Skip and Undo skip live with the workspace tools.
  startWorkspace({ current, show, onState });
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
