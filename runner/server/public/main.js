// The workshop page: wires the slides, the app pane, the checks, the Redis
// inspector and the workspace tools to the runner's event stream.
import { get, listen, post } from './api.js';
import { $, h } from './dom.js';
import { current, forget, parseHash, show, startSlides } from './slides.js';
import { appLog, appLogs, appStatuses, showApp, startAppPane } from './apppane.js';
import { checkDone, setCheckStep, setWatch, startChecks, verifyEnded, verifyStarted } from './checks.js';
import { redisStatus, showInspector } from './inspector.js';
import { setWorkspaceStep, startWorkspace } from './workspace.js';

let serverStep = '';

const statusMark = { passed: '✓ passed', skipped: '↷ skipped', todo: '' };

function renderSteps(state) {
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

async function openFile(ref) {
  try {
    await post('/open', { file: ref });
  } catch (err) {
    $('verify-summary').textContent = err.message;
  }
}

async function main() {
  startAppPane(openFile);
  startChecks(openFile, () => showApp('solution'));
  startWorkspace();
  const state = await get('/state');
  onState(state);
  await startSlides(state.current, stepShown);
  $('skip').addEventListener('click', async () => {
    const from = current().step;
    try {
      const next = await post('/skip', { step: from });
      onState(next);
      if (next.current !== from) void show(next.current, 1);
      $('verify-summary').textContent = `${from} skipped.`;
    } catch (err) {
      $('verify-summary').textContent = err.message;
    }
  });
  listen(
    {
      state: onState,
      logs: appLogs,
      log: appLog,
      inspector: showInspector,
      'verify-start': verifyStarted,
      check: checkDone,
      'verify-end': verifyEnded,
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
