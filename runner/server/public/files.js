// File names in logs, hints and messages become "open in editor" buttons,
// but only those the runner says exist: "Node.js" in a version line or a
// URL like /stylesheets/style.css stay text. When no editor can be opened,
// the path is said beside what was clicked, with a button to copy it; the
// verify summary is never used for that.
import { post } from './api.js';
import { $, h } from './dom.js';

// `workspace/app.js:12`, `routes/index.js:3:7`, and the absolute paths of
// stack traces (`/home/me/workshop/workspace/app.js:12:5`).
const fileRef = /((?:\/|\b)(?:[\w.-]+\/)*[\w.-]+\.(?:js|mjs|cjs|json|pug|css|ts)(?::\d+){0,2})\b/g;

/** ref → whether it names a file that exists; refs not known yet are asked in one batch. */
const known = new Map();
/** Refs waiting for the next batch. */
const asking = new Set();
/** Refs asked and not answered yet (waiting or in flight): a log rebuilt meanwhile does not ask again. */
const asked = new Set();
let batch;

function ask(ref) {
  asked.add(ref);
  asking.add(ref);
  clearTimeout(batch);
  batch = setTimeout(() => void lookUp(), 20);
}

async function lookUp() {
  const refs = [...asking].slice(0, 200);
  // A batch taken early by the one before it.
  if (!refs.length) return;
  for (const r of refs) asking.delete(r);
  try {
    const { exists } = await post('/files', { refs });
    for (const r of refs) known.set(r, exists[r] === true);
  } catch {
    // The runner could not say: leave them as text rather than offer buttons that fail.
    for (const r of refs) known.set(r, false);
  }
  for (const r of refs) asked.delete(r);
  // Placeholders rendered meanwhile become buttons, or plain text.
  for (const span of document.querySelectorAll('span.file-ref[data-ref]')) {
    const ref = /** @type {HTMLElement} */ (span).dataset.ref ?? '';
    if (known.get(ref) === true) span.replaceWith(fileButton(ref));
    else if (known.has(ref)) span.removeAttribute('data-ref');
  }
  if (asking.size) void lookUp();
}

function fileButton(ref) {
  return h('button', { type: 'button', class: 'file-link', title: 'Open in your editor', onclick: (e) => void openFile(ref, e.currentTarget) }, ref);
}

/**
 * Text with references to existing files turned into "open in editor" buttons.
 * @param {string} text
 */
export function linkFiles(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(fileRef)) {
    const ref = m[1];
    frag.append(text.slice(last, m.index));
    const exists = known.get(ref);
    if (exists === true) frag.append(fileButton(ref));
    else if (exists === false) frag.append(ref);
    else {
      frag.append(h('span', { class: 'file-ref', 'data-ref': ref }, ref));
      if (!asked.has(ref)) ask(ref);
    }
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

/**
 * A hint or message: `code` in backticks shown as code (as text, never
 * markup), file references as buttons.
 * @param {string} text
 */
export function richText(text) {
  const frag = document.createDocumentFragment();
  const parts = String(text).split(/`([^`\n]+)`/);
  parts.forEach((part, i) => {
    if (part) frag.append(i % 2 ? h('code', {}, linkFiles(part)) : linkFiles(part));
  });
  return frag;
}

/** Says, after the block holding `from`, that the editor did not open, with the path to copy. */
function sayBeside(from, message, path) {
  const block = from?.closest?.('pre, p, li, div') ?? $('app-log');
  block?.parentElement?.querySelectorAll(':scope > .open-note').forEach((n) => n.remove());
  const pathEl = path ? h('code', { class: 'open-path' }, path) : null;
  const done = h('span', { class: 'copied', role: 'status' });
  const copy = path
    ? h('button', {
        type: 'button',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(path);
            done.textContent = ' Copied.';
          } catch {
            // No clipboard (permissions): select it, so Ctrl-C copies it.
            getSelection()?.selectAllChildren(/** @type {Node} */ (pathEl));
            done.textContent = ' Selected: press Ctrl-C (⌘C) to copy it.';
          }
        },
      }, 'Copy the path')
    : null;
  const note = h('p', { class: 'open-note', role: 'alert' }, message, ' ', pathEl, ' ', copy, done);
  block?.after(note);
}

/**
 * Opens a file reference in the learner's editor.
 * @param {string} ref
 * @param {Element | null} [from] what was clicked: a failure is said beside it
 */
export async function openFile(ref, from = null) {
  try {
    const res = await post('/open', { file: ref });
    if (!res.opened) sayBeside(from, res.error ?? 'Your editor could not be opened.', `${res.file}${res.line ? `:${res.line}` : ''}`);
  } catch (err) {
    sayBeside(from, err.message);
  }
}
