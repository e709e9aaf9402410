// The learner's workspace: start the step again or replace it with a step's
// solution (each after a backup), list the backups by what they hold and
// restore one; and skipping a step, with a way back.
import { get, post } from './api.js';
import { $, h } from './dom.js';
import { stepWords } from './words.js';

let step = '';
/** The runner's steps, with their status in its progress: 'passed', 'skipped' or 'todo'. */
let steps = [];
const skipped = () => steps.find((s) => s.name === step)?.status === 'skipped';

export const setWorkspaceStep = (name) => {
  step = name;
  $('switch').textContent = `Use ${name}'s solution`;
  $('reset-step').textContent = `Reset ${name}`;
  skipLabel();
};

function say(text) {
  $('ws-status').textContent = text;
}

function backupName(b) {
  return typeof b === 'string' ? b : (b.name ?? b.id ?? JSON.stringify(b));
}

const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '');

async function listBackups() {
  try {
    const { backups } = await get('/backups');
    say(backups.length ? '' : 'No backups yet.');
    $('backups').replaceChildren(
      ...backups.map((b) =>
        h(
          'li',
          { class: 'backup' },
          // What it holds first; the time and the name (what `npm run workshop -- restore` takes) after.
          h('span', { class: 'backup-label' }, b.label ?? backupName(b)),
          ' ',
          h('span', { class: 'backup-when' }, [when(b.createdAt), b.files !== undefined ? `${b.files} files` : ''].filter(Boolean).join(', ')),
          ' ',
          h('code', { class: 'backup-name' }, backupName(b)),
          ' ',
          h('button', { type: 'button', onclick: () => restore(b) }, 'Restore'),
        ),
      ),
    );
  } catch (err) {
    say(err.message);
  }
}

async function restore(b) {
  const label = b.label ?? backupName(b);
  if (!confirm(`Restore “${label}” (${when(b.createdAt)})? Your current files are backed up first.`)) return;
  try {
    await post('/restore', { name: backupName(b) });
    say(`Restored “${label}”. Your app restarts with it.`);
  } catch (err) {
    say(err.message);
  }
}

function said(result, done) {
  if (!result?.switched) return 'Nothing to do: your workspace already holds that.';
  return `${done}${result.backupMade ? ` Your files are in the backup “${result.backupMade.label}”.` : ''} Your app restarts with it.`;
}

/**
 * Skip and Undo skip: the Skip button turns into Undo skip on a skipped
 * step, and the note after a skip offers it at once.
 * @param {{ current: () => { step: string }, show: (step: string, n: number) => unknown, onState: (state: any) => void }} page
 */
function startSkip(page) {
  const note = (...children) => $('step-note').replaceChildren(...children);
  // The runner answers once the solution pane has moved: a learner who went
  // elsewhere meanwhile stays where they are.
  const undo = async (name) => {
    const at = page.current().step;
    try {
      page.onState(await post('/unskip', { step: name }));
      if (at !== name && page.current().step === at) await page.show(name, 1);
      note(`${stepWords(name)} is no longer skipped.`);
    } catch (err) {
      note(err.message);
    }
  };
  $('skip').addEventListener('click', async () => {
    const from = page.current().step;
    if (skipped()) return undo(from);
    // The solution pane moves on to the next step's app, which takes a moment.
    note(`Skipping ${stepWords(from)}…`);
    try {
      const next = await post('/skip', { step: from });
      page.onState(next);
      if (next.current !== from && page.current().step === from) await page.show(next.current, 1);
      note(`${stepWords(from)} skipped. `, h('button', { type: 'button', onclick: () => void undo(from) }, `Undo skip of ${stepWords(from)}`));
    } catch (err) {
      note(err.message);
    }
  });
}

function skipLabel() {
  $('skip').textContent = skipped() ? `Undo skip of ${stepWords(step)}` : `Skip ${step}`;
}

/** The runner's state changed: the shown step may have been skipped or unskipped. */
export function workspaceState(state) {
  steps = state.steps;
  skipLabel();
}

/** @param {Parameters<typeof startSkip>[0]} page */
export function startWorkspace(page) {
  $('switch').addEventListener('click', async () => {
    if (!confirm(`Replace your workspace with ${step}'s solution? Your files are backed up first and can be restored.`)) return;
    try {
      const { result } = await post('/switch', { step });
      say(said(result, `Your workspace now holds ${step}'s solution.`));
    } catch (err) {
      say(err.message);
    }
  });
  $('reset-step').addEventListener('click', async () => {
    if (!confirm(`Start ${stepWords(step)} again? Your workspace goes back to where ${stepWords(step)} starts; your files are backed up first and can be restored.`)) return;
    try {
      const { result } = await post('/reset', { step });
      say(said(result, `Your workspace is back where ${stepWords(step)} starts.`));
    } catch (err) {
      say(err.message);
    }
  });
  $('list-backups').addEventListener('click', () => void listBackups());
  startSkip(page);
}
