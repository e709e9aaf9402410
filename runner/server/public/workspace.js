// The learner's workspace: replace it with a step's solution (after a
// backup), list the backups and restore one.
import { get, post } from './api.js';
import { $, h } from './dom.js';

let step = '';
export const setWorkspaceStep = (name) => {
  step = name;
  $('switch').textContent = `Use ${name}'s solution`;
};

function say(text) {
  $('ws-status').textContent = text;
}

function backupName(b) {
  return typeof b === 'string' ? b : (b.name ?? b.id ?? JSON.stringify(b));
}

async function listBackups() {
  try {
    const { backups } = await get('/backups');
    if (!backups.length) say('No backups yet.');
    $('backups').replaceChildren(
      ...backups.map((b) =>
        h('li', {}, h('span', {}, backupName(b), b.at ? ` (${b.at})` : ''), ' ', h('button', { type: 'button', onclick: () => restore(backupName(b)) }, 'Restore')),
      ),
    );
  } catch (err) {
    say(err.message);
  }
}

async function restore(name) {
  if (!confirm(`Restore your workspace from the backup ${name}? Your current files are backed up first.`)) return;
  try {
    await post('/restore', { name });
    say(`Restored ${name}. Your app restarts with it.`);
  } catch (err) {
    say(err.message);
  }
}

export function startWorkspace() {
  $('switch').addEventListener('click', async () => {
    if (!confirm(`Replace your workspace with ${step}'s solution? Your files are backed up first and can be restored.`)) return;
    try {
      await post('/switch', { step });
      say(`Your workspace now holds ${step}'s solution. Your app restarts with it.`);
    } catch (err) {
      say(err.message);
    }
  });
  $('list-backups').addEventListener('click', () => void listBackups());
}
