// The deck page: its stylesheet, its script, and the HTML around the slide
// fragments. The export inlines everything, so a page works from a file
// with no network; the web UI serves `deckCss` (css.ts) as /deck.css.
import { extname } from 'node:path';
import { escapeHtml } from './highlight.ts';
import type { RenderedDeck } from './render.ts';
import { deckCss } from './css.ts';

export { deckCss };

/** Marks the pages we write, so an export only ever overwrites its own files. */
export const generatorMeta = '<meta name="generator" content="session-store-workshop deck">';

// Keyboard and hash navigation. Without script every slide shows, one
// after the other, which is also what printing gives.
export const deckJs = `
(function () {
  var deck = document.querySelector('.deck');
  if (!deck) return;
  var slides = Array.prototype.slice.call(deck.querySelectorAll('.slide'));
  if (!slides.length) return;
  document.documentElement.classList.add('js');
  var counter = document.querySelector('[data-deck-counter]');
  var current = -1;
  var baseTitle = document.title;
  function fromHash() {
    var n = parseInt(location.hash.slice(1), 10);
    return n >= 1 && n <= slides.length ? n - 1 : 0;
  }
  function show(i) {
    i = Math.max(0, Math.min(slides.length - 1, i));
    if (i === current) return;
    if (current >= 0) slides[current].classList.remove('current');
    current = i;
    slides[i].classList.add('current');
    if (counter) counter.textContent = (i + 1) + ' / ' + slides.length;
    document.title = baseTitle + ' (' + (i + 1) + '/' + slides.length + ')';
    if (location.hash !== '#' + (i + 1)) location.replace('#' + (i + 1));
    window.scrollTo(0, 0);
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var k = e.key;
    if (k === 'ArrowRight' || k === 'PageDown' || k === ' ' || k === 'j' || k === 'l') show(current + (e.shiftKey && k === ' ' ? -1 : 1));
    else if (k === 'ArrowLeft' || k === 'PageUp' || k === 'k' || k === 'h') show(current - 1);
    else if (k === 'Home') show(0);
    else if (k === 'End') show(slides.length - 1);
    else return;
    e.preventDefault();
  });
  var prev = document.querySelector('[data-deck-prev]');
  var next = document.querySelector('[data-deck-next]');
  if (prev) prev.addEventListener('click', function () { show(current - 1); });
  if (next) next.addEventListener('click', function () { show(current + 1); });
  window.addEventListener('hashchange', function () { show(fromHash()); });
  show(fromHash());
})();
`;

export interface PageOptions {
  /** A link back to the list of decks. */
  indexHref?: string;
}

/** One slide as a `<section>`: its number and deck line ride along as data attributes. */
function slideSection(slide: RenderedDeck['slides'][number]): string {
  return (
    `<section class="slide" data-number="${slide.number}" data-line="${slide.line}" aria-label="${escapeHtml(`Slide ${slide.number}: ${slide.title}`)}">\n` +
    slide.html +
    `</section>\n`
  );
}

/** The start of every page we write, up to </head>: `styles` is a <style> or <link> element. */
export function pageHead(title: string, styles: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${generatorMeta}
<title>${escapeHtml(title)}</title>
${styles}
</head>`;
}

/** A whole HTML page for a deck. */
export function deckPage(deck: RenderedDeck, options: PageOptions = {}): string {
  const index = options.indexHref ? `<a href="${escapeHtml(options.indexHref)}">All decks</a>` : '';
  return `${pageHead(deck.title, `<style>${deckCss}</style>`)}
<body>
<main class="deck" data-deck="${escapeHtml(deck.name)}">
${deck.slides.map(slideSection).join('')}</main>
<nav class="deck-nav" aria-label="Slides">${index}<button type="button" data-deck-prev aria-label="Previous slide">←</button><span data-deck-counter></span><button type="button" data-deck-next aria-label="Next slide">→</button></nav>
<script>${deckJs}</script>
</body>
</html>
`;
}

const types: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
};

export function assetContentType(path: string): string {
  return types[extname(path).toLowerCase()] ?? 'application/octet-stream';
}
