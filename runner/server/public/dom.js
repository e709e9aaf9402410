// Building DOM without innerHTML: every text goes in as text, so app logs,
// Redis values, key names and hints can never become markup.

/**
 * h('li', { class: 'x', onclick }, 'text', child)
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string|number|null|undefined|false)} children
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// `workspace/app.js:12`, `routes/index.js:3:7`, and the absolute paths of
// stack traces (`/home/me/workshop/workspace/app.js:12:5`). The runner
// opens only files inside the workspace or the workshop.
const fileRef = /((?:\/|\b)(?:[\w.-]+\/)*[\w.-]+\.(?:js|mjs|cjs|json|pug|css|ts)(?::\d+){0,2})\b/g;

/**
 * Text with file references turned into "open in editor" buttons.
 * @param {string} text
 * @param {(ref: string) => void} open
 */
export function withFileLinks(text, open) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(fileRef)) {
    frag.append(text.slice(last, m.index));
    frag.append(h('button', { type: 'button', class: 'file-link', title: 'Open in your editor', onclick: () => open(m[1]) }, m[1]));
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}
