// The slides of a step: one at a time, fitted to their box, keyboard
// navigation, a deep link in the address (#/step3/7) that survives a
// reload, copy buttons on code, commands rewritten for this runner, and an
// overview of the deck.
import { get } from './api.js';
import { factsOfState, isMarked, newestSession, rewriteCommand } from './commands.js';
import { $, h } from './dom.js';

/**
 * `#/step3/7` → { step: 'step3', n: 7 }; undefined for anything else. Any
 * step name workshop.json allows (runner/description.ts): another workshop's
 * steps may be called `page` and `api`.
 */
export function parseHash(hash) {
  const m = /^#\/([a-z][a-z0-9-]*)(?:\/(\d+))?\/?$/.exec(hash);
  return m ? { step: m[1], n: m[2] ? Number(m[2]) : 1 } : undefined;
}

const decks = new Map();
let shown = { step: '', n: 0 };
let shownDeck;
let onStepShown = (_step) => {};

async function deckOf(step) {
  if (!decks.has(step)) decks.set(step, get(`/decks/${step}`));
  try {
    return await decks.get(step);
  } catch (err) {
    decks.delete(step);
    throw err;
  }
}

const titleOf = (slide, n) => slide?.title || `Slide ${n}`;

/** Shows slide n of a step (clamped to the deck) and puts it in the address. */
export async function show(step, n) {
  let deck;
  try {
    deck = await deckOf(step);
  } catch (err) {
    $('slide').replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
    return;
  }
  const total = deck.slides.length;
  const i = Math.min(Math.max(1, n || 1), Math.max(total, 1));
  const slide = deck.slides[i - 1];
  const el = $('slide');
  // The deck engine renders and escapes slides on the server: trusted HTML.
  el.innerHTML = slide ? slide.html : '<p>This deck has no slides.</p>';
  el.scrollTop = 0;
  el.className = ['slide', 'current', ...(slide?.classes ?? [])].join(' ');
  el.setAttribute('aria-label', `${titleOf(slide, i)}, slide ${i} of ${total}`);
  rewriteCommands(el);
  keepWordsWhole(el);
  addCopyButtons(el);
  for (const img of el.querySelectorAll('img')) if (!img.complete) img.addEventListener('load', () => fit(el), { once: true });
  $('counter').textContent = `${step}: ${i} / ${total}`;
  announce(total ? `Slide ${i} of ${total}: ${titleOf(slide, i)}` : `${step} has no slides`);
  const problems = $('deck-problems');
  problems.hidden = !deck.problems?.length;
  problems.replaceChildren(...(deck.problems ?? []).map((p) => h('p', {}, `${p.file}:${p.line}: ${p.message}`)));
  const changedStep = shown.step !== step;
  shown = { step, n: i };
  shownDeck = deck;
  if (!$('overview').hidden) listSlides();
  const hash = `#/${step}/${i}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
  if (changedStep) onStepShown(step);
}

export const current = () => shown;

export function forget() {
  decks.clear();
  if (shown.step) void show(shown.step, shown.n);
}

const announce = (text) => ($('slide-announce').textContent = text);

// Slidev scales a slide to its box. Here the slide's font shrinks (all the
// deck's sizes are in em, so code shrinks with the text; slides.css keeps code,
// file names and tables at their own floor) down to a floor where text stays
// readable at a glance. Between two neighbouring slides the size then changes
// by a few pixels at most, not from 20px to 12px: a slide too full to keep a
// comfortable size in one column flows into two, when that keeps its font
// larger; too full for either, it scrolls: it can be focused, and Space scrolls
// it before turning the page.
export const fontFloors = {
  /** Prose: the slide's own font at its smallest (slides.css floors code, file names and tables at 12px). */
  textPx: 13,
  /** Below this in one column, two columns are tried: they win when their font is larger. */
  comfortablePx: 15,
};
// Two columns of at least ~45 characters of code each.
const twoColumnsPx = 640;
/** The box the slide was last fitted to, `width×height`. */
let fittedTo = '';

function overflows(el) {
  if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) return true;
  return [...el.querySelectorAll('pre')].some((pre) => pre.scrollWidth > pre.clientWidth + 1 || pre.scrollHeight > pre.clientHeight + 1);
}

/** Lowers the slide's font until it fits, not below the floor: the --fit it fits at, or 0 if it does not fit even there. */
function shrink(el) {
  el.style.setProperty('--fit', '1');
  if (!overflows(el)) return 1;
  let lo = Math.min(1, fontFloors.textPx / parseFloat(getComputedStyle(el).fontSize));
  let hi = 1;
  el.style.setProperty('--fit', String(lo));
  if (overflows(el)) return 0;
  // Eight halvings: within half a percent of the largest font that fits.
  for (let k = 0; k < 8; k++) {
    const mid = (lo + hi) / 2;
    el.style.setProperty('--fit', String(mid));
    if (overflows(el)) hi = mid;
    else lo = mid;
  }
  el.style.setProperty('--fit', String(lo));
  return lo;
}

function fit(el) {
  el.classList.remove('two-columns');
  const one = shrink(el);
  const px = () => parseFloat(getComputedStyle(el).fontSize);
  let fits = one > 0;
  if ((!fits || px() < fontFloors.comfortablePx) && el.clientWidth >= twoColumnsPx) {
    el.classList.add('two-columns');
    const two = shrink(el);
    // Two columns are harder to follow: only for a clearly larger font, or to fit at all.
    // Columns that overflow would run off to the side: one column that scrolls reads better.
    if (two > 0 && (!fits || two > one * 1.08)) fits = true;
    else {
      el.classList.remove('two-columns');
      shrink(el);
    }
  }
  el.classList.toggle('scrolls', !fits);
  el.tabIndex = fits ? -1 : 0;
  fittedTo = `${el.clientWidth}×${el.clientHeight}`;
}

/** Fits the slide again whenever its box or its content changes, whoever changed it. */
function keepFitted(el) {
  new ResizeObserver(() => {
    if (fittedTo !== `${el.clientWidth}×${el.clientHeight}`) fit(el);
  }).observe(el);
  new MutationObserver(() => fit(el)).observe(el, { childList: true, subtree: true, characterData: true });
}

/** For Space and PageDown/PageUp: scrolls a slide that does not fit, until its end. */
function scrollSlide(direction) {
  const el = $('slide');
  if (!el.classList.contains('scrolls')) return false;
  const room = direction > 0 ? el.scrollHeight - el.clientHeight - el.scrollTop : el.scrollTop;
  if (room < 2) return false;
  el.scrollBy({ top: direction * el.clientHeight * 0.85 });
  return true;
}

/**
 * A browser may break a line after a hyphen, and around other punctuation:
 * `--scan`, 'express-session' or '%{http_code}\n' would be cut in two. In
 * code, and in code within a sentence (`redis-cli --scan`), a word with a
 * hyphen is kept whole; in the commands of a transcript (not in what they
 * print), every word with punctuation (slides.css: inline-block), unless it
 * is longer than a line.
 */
function keepWordsWhole(el) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    // A rewritten command (rewriteCommands) has its words made already.
    if (!parent || parent.closest('.word')) continue;
    const command = parent.closest('.cmd');
    const hyphenated = node.data.includes('-') && (parent.closest('figure.code .lc') || (parent.closest('code') && !parent.closest('pre')));
    if (command ? /[^\w\s]/.test(node.data) : hyphenated) found.push({ node, command });
  }
  for (const { node, command } of found) {
    const whole = command ? (part) => /\S/.test(part) && /[^\w\s]/.test(part) && part.length > 1 : (part) => /\S-|-\S/.test(part);
    const parts = node.data.split(command ? /(\S+)/ : /(\S*-\S*)/).filter(Boolean);
    node.replaceWith(...parts.map((part) => (whole(part) ? h('span', { class: 'word' }, part) : part)));
  }
}

/**
 * What the slides' commands are rewritten for: the learner's app, Redis and a
 * session in it now (commands.js). Unknown until main.js says (setRunnerFacts).
 * @type {import('./commands.js').RunnerFacts}
 */
const facts = {};

/**
 * Tells the slides where this runner's app and Redis are, and a session in it:
 * the commands shown and copied follow at once. Keys left out keep their value.
 * @param {import('./commands.js').RunnerFacts} patch
 */
export function setRunnerFacts(patch) {
  const next = { ...facts, ...patch };
  if (next.appUrl === facts.appUrl && next.redisCli === facts.redisCli && next.sessionKey === facts.sessionKey) return;
  Object.assign(facts, next);
  const el = document.getElementById('slide');
  if (el) rewriteCommands(el);
}

/** For main.js: the learner's app and Redis from a 'state' event (or GET /api/state). */
export const slidesState = (state) => setRunnerFacts(factsOfState(state));

/** For main.js: the newest session from an 'inspector' event; a failed pass says nothing about sessions. */
export function slidesInspector(snapshot) {
  if (!snapshot.error) setRunnerFacts({ sessionKey: newestSession(snapshot.sessions) });
}

/** A command line's text and markup as the deck rendered it, and the parts last shown for it. */
const commandLines = new WeakMap();

/** The command lines of a figure: a transcript's `$` lines, or every line of a shell snippet (render.ts: `shell`). */
const linesOf = (figure) => figure.querySelectorAll(figure.matches('.term') ? '.cmd' : '.lc');

/**
 * Shows each shell command of the slide as this runner needs it (the app's port,
 * Redis's redis-cli, a session that exists), the changed parts marked, and under
 * the figure what changed; never code excerpts, nor what a transcript printed.
 */
function rewriteCommands(el) {
  const whys = new Set();
  for (const figure of el.querySelectorAll('figure.term, figure.code.shell')) {
    let changed = false;
    for (const line of linesOf(figure)) {
      if (!commandLines.has(line)) commandLines.set(line, { text: line.textContent.replace(/\u200b/g, ''), html: line.innerHTML, shown: '' });
      const original = commandLines.get(line);
      const parts = rewriteCommand(original.text, facts);
      const marked = parts.filter(isMarked);
      for (const p of marked) whys.add(p.kept ? 'kept' : 'rewritten');
      const shown = JSON.stringify(marked.length ? parts : []);
      if (shown === original.shown) continue;
      original.shown = shown;
      changed = true;
      if (marked.length) line.replaceChildren(...commandNodes(parts));
      else line.innerHTML = original.html;
    }
    if (changed) keepWordsWhole(figure);
  }
  sayWhatChanged(whys);
}

/**
 * Beside the slide's controls (not in the slide, whose room is the text's): that the
 * commands were rewritten, and that what a transcript printed is the recording's,
 * ports and ids included; or that a session id is the recording's, for want of one.
 */
function sayWhatChanged(whys) {
  const controls = document.querySelector('.slide-controls');
  if (!controls) return;
  let note = document.getElementById('commands-note');
  if (!note) {
    note = h('span', { id: 'commands-note', class: 'commands-note' });
    const keys = controls.querySelector('.keys');
    if (keys) keys.before(note);
    else controls.append(note);
  }
  const said = [];
  const told = [];
  if (whys.has('rewritten')) {
    said.push('Commands rewritten for your runner; output as recorded');
    told.push("The slide's commands use your runner's app port, Redis and newest session: hover an underlined part for what changed. What they printed is from the recording, with its ports and ids.");
  }
  if (whys.has('kept')) {
    said.push('session id as recorded');
    told.push("The underlined session id is the recording's: your Redis has no session yet. Open your app, and its session shows here.");
  }
  note.textContent = said.join('; ');
  note.title = told.join(' ');
  note.hidden = !said.length;
}

/**
 * A command's parts as nodes: the rewritten ones marked, with what changed in
 * their title. A word with punctuation is kept on one line (as keepWordsWhole
 * does), a rewritten part of it included; lines break at spaces only.
 */
function commandNodes(parts) {
  const nodes = [];
  let word = [];
  const wordNode = (pieces) => {
    const text = pieces.map((n) => n.textContent).join('');
    return text.length > 1 && /[^\w\s]/.test(text) ? [h('span', { class: 'word' }, ...pieces)] : pieces;
  };
  const endWord = () => {
    nodes.push(...wordNode(word));
    word = [];
  };
  const mark = (part, ...children) =>
    part.kept
      ? h('mark', { class: 'kept', title: `As recorded: ${part.why}` }, ...children)
      : h('mark', { class: 'rewritten', title: `Rewritten for your runner: ${part.why}` }, ...children);
  for (const part of parts) {
    const pieces = part.text.split(/(\s+)/).filter(Boolean);
    if (isMarked(part) && /\s/.test(part.text)) {
      // `redis-cli -p 6420`: one mark, breaking between its own words.
      endWord();
      nodes.push(mark(part, ...pieces.flatMap((p) => (/^\s/.test(p) ? [p] : wordNode([document.createTextNode(p)])))));
      continue;
    }
    for (const piece of pieces) {
      if (/^\s/.test(piece)) {
        endWord();
        nodes.push(piece);
      } else word.push(isMarked(part) ? mark(part, piece) : document.createTextNode(piece));
    }
  }
  endWord();
  return nodes;
}

/** The code a copy button copies: a transcript's commands without their prompt, or every line. */
function copiedText(figure) {
  const commands = [...figure.querySelectorAll('.cmd')].map((c) => c.textContent);
  if (commands.length) return commands.join('\n');
  return [...figure.querySelectorAll('.lc')].map((c) => c.textContent.replace(/\u200b/g, '')).join('\n');
}

function addCopyButtons(el) {
  for (const figure of el.querySelectorAll('figure.code, figure.term')) {
    const commands = figure.querySelector('.cmd') !== null;
    const label = commands ? 'Copy the commands' : 'Copy the code';
    const button = h('button', { type: 'button', class: 'copy', title: label, 'aria-label': label }, 'Copy');
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(copiedText(figure));
        button.textContent = 'Copied';
        announce(commands ? 'Commands copied.' : 'Code copied.');
      } catch {
        button.textContent = 'Copy failed';
        announce('Could not copy: select the text and copy it with your keyboard.');
      }
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    });
    // Beside the file name when there is one, else over the code's top right corner.
    (figure.querySelector('figcaption') ?? figure).append(button);
  }
}

/** The overview: every slide of the shown deck, as a link to it. */
function listSlides() {
  const slides = shownDeck?.slides ?? [];
  $('overview-heading').textContent = `Slides of ${shown.step}`;
  $('overview-list').replaceChildren(
    ...slides.map((s, k) =>
      h('li', {}, h('a', { href: `#/${shown.step}/${k + 1}`, 'aria-current': k + 1 === shown.n ? 'page' : null }, titleOf(s, k + 1))),
    ),
  );
}

function openOverview(open) {
  const box = $('overview');
  const wasInside = box.contains(document.activeElement);
  box.hidden = !open;
  $('overview-toggle').setAttribute('aria-expanded', String(open));
  if (open) {
    listSlides();
    (box.querySelector('[aria-current]') ?? box.querySelector('a'))?.focus();
  } else if (wasInside) {
    $('overview-toggle').focus();
  }
}

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/**
 * @param {string} defaultStep where to start without a deep link
 * @param {(step: string) => void} stepShown called when another step's deck is shown
 */
export function startSlides(defaultStep, stepShown) {
  onStepShown = stepShown;
  const go = (delta) => void show(shown.step, shown.n + delta);
  $('prev').addEventListener('click', () => go(-1));
  $('next').addEventListener('click', () => go(1));
  keepFitted($('slide'));
  // The skip link focuses the slide itself: following `#slide` would replace the deep link.
  document.querySelector('.skip-link')?.addEventListener('click', (e) => {
    e.preventDefault();
    $('slide').focus();
  });
  $('overview-toggle').addEventListener('click', () => openOverview($('overview').hidden));
  $('overview').addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('a') : null;
    if (!link) return;
    openOverview(false);
    $('slide').focus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    // Space on a button presses it; elsewhere it turns the page.
    const onControl = e.target instanceof HTMLElement && /^(BUTTON|A|SUMMARY)$/.test(e.target.tagName);
    const forward = e.key === 'PageDown' || (e.key === ' ' && !onControl && !e.shiftKey);
    const back = e.key === 'PageUp' || (e.key === ' ' && !onControl && e.shiftKey);
    if (e.key === 'Escape' && !$('overview').hidden) openOverview(false);
    else if (e.key === 'o') openOverview($('overview').hidden);
    else if ((forward && scrollSlide(1)) || (back && scrollSlide(-1))) {
      // The slide scrolled; the page turns at its end.
    }
    else if (e.key === 'ArrowRight' || forward) go(1);
    else if (e.key === 'ArrowLeft' || back) go(-1);
    else if (e.key === 'Home') void show(shown.step, 1);
    else if (e.key === 'End') void show(shown.step, Number.MAX_SAFE_INTEGER);
    else return;
    e.preventDefault();
  });
  window.addEventListener('hashchange', () => {
    const to = parseHash(location.hash);
    if (to && (to.step !== shown.step || to.n !== shown.n)) void show(to.step, to.n);
  });
  const start = parseHash(location.hash) ?? { step: defaultStep, n: 1 };
  return show(start.step, start.n);
}
