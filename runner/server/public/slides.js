// The slides of a step: one at a time, keyboard navigation, and a deep
// link in the address (#/step3/7) that survives a reload.
import { get } from './api.js';
import { $, h } from './dom.js';

/** `#/step3/7` → { step: 'step3', n: 7 }; undefined for anything else. */
export function parseHash(hash) {
  const m = /^#\/(step\d+)(?:\/(\d+))?\/?$/.exec(hash);
  return m ? { step: m[1], n: m[2] ? Number(m[2]) : 1 } : undefined;
}

const decks = new Map();
let shown = { step: '', n: 0 };
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
  el.className = ['slide', 'current', ...(slide?.classes ?? [])].join(' ');
  el.setAttribute('aria-label', `${slide?.title ?? step}, slide ${i} of ${total}`);
  $('counter').textContent = `${step}: ${i} / ${total}`;
  const problems = $('deck-problems');
  problems.hidden = !deck.problems?.length;
  problems.replaceChildren(...(deck.problems ?? []).map((p) => h('p', {}, `${p.file}:${p.line}: ${p.message}`)));
  const changedStep = shown.step !== step;
  shown = { step, n: i };
  const hash = `#/${step}/${i}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
  if (changedStep) onStepShown(step);
}

export const current = () => shown;

export function forget() {
  decks.clear();
  if (shown.step) void show(shown.step, shown.n);
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
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    // Space on a button presses it; elsewhere it turns the page.
    const onControl = e.target instanceof HTMLElement && /^(BUTTON|A|SUMMARY)$/.test(e.target.tagName);
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || (e.key === ' ' && !onControl && !e.shiftKey)) go(1);
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp' || (e.key === ' ' && !onControl && e.shiftKey)) go(-1);
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
