// The learner's room, at the bottom of the workspace panel: the "Join a
// room" form, or "Reporting to <host> as <name>" with Leave, and, once,
// that the room is unreachable and reports are retried. Everything is built
// inside <div id="room">, so the page around it needs one element, one call
// and one handler of its event stream ('room'). The slide the page shows is sent
// to the runner while joined: reports name it.
import { get, post } from './api.js';
import { $, h } from './dom.js';

let joined = false;
let lastSlide = '';

/** The slide in the address, `#/step3/7` → `step3/7`. */
function slideOfHash() {
  const m = /^#\/([\w.-]+)\/(\d+)/.exec(location.hash);
  return m ? `${m[1]}/${m[2]}` : '';
}

function sendSlide() {
  const slide = slideOfHash();
  if (!joined || !slide || slide === lastSlide) return;
  lastSlide = slide;
  post('/room/slide', { slide }).catch(() => {});
}

function joinForm(box, error = '') {
  const url = h('input', { id: 'room-url', name: 'url', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'redis://learners:…@room.example.com:6379', required: true });
  const name = h('input', { id: 'room-name', name: 'name', type: 'text', autocomplete: 'nickname', maxlength: 40, placeholder: 'Ada L.', required: true });
  const problem = h('p', { class: 'room-error', role: 'alert' }, error);
  const button = h('button', { type: 'submit' }, 'Join');
  const form = h(
    'form',
    { class: 'room-form' },
    h('label', { for: 'room-url' }, "The room's URL"),
    url,
    h('label', { for: 'room-name' }, 'Your name, as the instructor will see it'),
    name,
    h('div', { class: 'room-actions' }, button),
    problem,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    problem.textContent = '';
    try {
      render(box, await post('/room/join', { url: url.value, name: name.value }));
    } catch (err) {
      problem.textContent = err.message;
      button.disabled = false;
    }
  });
  return h(
    'details',
    { class: 'room-join', open: error ? true : null },
    h('summary', {}, 'Join a room'),
    h('p', { class: 'note' }, "In a class, your instructor may follow the room's progress. Each verify then sends them your name, the step, each check's id and outcome, the slide you are on and the time: never your code, files or Redis data."),
    form,
  );
}

/** Beside Verify, where it happens: that each verify goes to the room, and where. */
function renderNote(status) {
  const note = $('room-note');
  if (!note) return;
  note.hidden = !status?.joined;
  if (note.hidden) return note.replaceChildren();
  note.replaceChildren(
    'Each verify is reported to the room at ',
    h('code', {}, status.host),
    ' as ',
    h('strong', {}, status.name),
    status.state === 'retrying' ? ' (unreachable now: retried in the background).' : '.',
  );
}

function render(box, status) {
  renderNote(status);
  joined = Boolean(status?.joined);
  if (!joined) {
    lastSlide = '';
    // A form being filled in stays as it is.
    if (!box.querySelector('.room-join')) box.replaceChildren(joinForm(box));
    return;
  }
  const leave = h('button', { type: 'button' }, 'Leave the room');
  leave.addEventListener('click', async () => {
    leave.disabled = true;
    try {
      render(box, await post('/room/leave'));
    } catch {
      leave.disabled = false;
    }
  });
  box.replaceChildren(
    h('p', { class: 'room-reporting' }, 'Reporting to ', h('code', {}, status.host), ' as ', h('strong', {}, status.name), '.'),
    status.state === 'retrying' ? h('p', { class: 'room-retrying', role: 'status' }, `The room is unreachable, retrying in the background: ${status.message ?? ''} Your checks are not affected.`) : null,
    h('div', { class: 'room-actions' }, leave),
  );
  sendSlide();
}

export function startRoom() {
  const box = $('room');
  if (!box) return;
  box.classList.add('room');
  get('/room/status').then((s) => render(box, s), () => render(box, { joined: false }));
  window.addEventListener('hashchange', sendSlide);
}

/** The page's event stream says the room changed: a join or leave in the terminal, or the room unreachable. */
export function roomChanged(status) {
  const box = $('room');
  if (box) render(box, status);
}
