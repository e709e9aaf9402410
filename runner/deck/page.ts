// The deck page: its stylesheet, its script, and the HTML around the slide
// fragments. Shared by the export (which inlines everything, so a page
// works from a file with no network) and the web UI (which can serve
// `deckCss` and `deckJs` under a URL prefix and link them instead).
import { extname } from 'node:path';
import { slidesDir as defaultSlidesDir } from '../paths.ts';
import { diskFiles, resolveInside, type FileReader } from './files.ts';
import { escapeHtml } from './highlight.ts';
import type { RenderedDeck } from './render.ts';

export const deckCss = `
:root { --fg: #1f2328; --muted: #656d76; --bg: #fff; --code-bg: #f6f8fa; --hl: #fff5b1; --hl-edge: #d4a72c;
  --term-bg: #1b1d23; --term-fg: #d5d8de; --accent: #0969da; }
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font: 21px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
.deck { position: relative; }
.slide { min-height: 100vh; max-width: 1120px; margin: 0 auto; padding: 5vh 5vw 9vh;
  display: flex; flex-direction: column; justify-content: center; position: relative; overflow: hidden; }
.js .slide:not(.current) { display: none; }
.slide h1 { font-size: 2.4em; line-height: 1.15; margin: .2em 0; }
.slide h2 { font-size: 1.7em; margin: .2em 0 .1em; }
.slide h3 { font-size: 1.2em; margin: .3em 0; color: var(--muted); font-weight: 600; }
.slide h4 { font-size: 1em; margin: .3em 0; }
.slide p, .slide ul, .slide ol { margin: .45em 0; }
.slide blockquote { margin: .6em 0; padding: .2em 1em; border-left: 5px solid #d0d7de; color: #424a53; }
.slide a { color: var(--accent); }
.slide table { border-collapse: collapse; font-size: .8em; }
.slide th, .slide td { border: 1px solid #d0d7de; padding: .25em .6em; text-align: left; vertical-align: top; }
.center { text-align: center; }
.slide img { max-width: 100%; max-height: 78vh; }
.focus-border { border: 6px solid #eaeef2; border-radius: 8px; box-shadow: 0 3px 16px rgba(0,0,0,.18); }
.slide :not(pre) > code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code-bg);
  padding: .1em .3em; border-radius: 4px; }
figure { margin: .5em 0; }
figcaption { font: 13px ui-monospace, Menlo, Consolas, monospace; color: var(--muted); margin-bottom: .2em; }
figcaption .range::before { content: "· "; }
pre { margin: 0; overflow: auto; font: 15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  border-radius: 6px; padding: .6em 0; }
figure.code pre { background: var(--code-bg); max-height: 70vh; }
figure.code.long pre { font-size: 13px; max-height: 50vh; }
.line { display: block; padding-right: 1em; white-space: pre; }
.line.hl { background: var(--hl); box-shadow: inset 4px 0 0 var(--hl-edge); }
.ln { display: inline-block; width: 3.2em; padding-right: 1em; text-align: right; color: #8c959f; user-select: none; }
.code .line:not(.hl) .lc { opacity: .82; }
.code:not(:has(.hl)) .line .lc { opacity: 1; }
figure.term pre { background: var(--term-bg); color: var(--term-fg); padding: .7em 1em; }
.term .line { white-space: pre-wrap; overflow-wrap: anywhere; }
.term .line.hl { background: #3a3520; box-shadow: inset 4px 0 0 var(--hl-edge); }
.term .prompt { color: #7ee787; user-select: none; }
.term .cmd { color: #fff; font-weight: 600; }
.deck-error { border: 2px solid #cf222e; background: #ffebe9; color: #82071e; padding: .5em .8em; margin: .4em 0;
  font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; border-radius: 6px; }
.deck-nav { position: fixed; right: 14px; bottom: 10px; display: flex; gap: .5em; align-items: center;
  font: 14px system-ui, sans-serif; color: var(--muted); }
.deck-nav button, .deck-nav a { font: inherit; color: inherit; background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
  padding: .2em .6em; cursor: pointer; text-decoration: none; }
.deck-index { max-width: 760px; margin: 8vh auto; padding: 0 5vw; }
.deck-index li { margin: .5em 0; }
/* highlight.js colours (GitHub-like), light enough for a projector. */
.hljs-comment, .hljs-quote { color: #6e7781; font-style: italic; }
.hljs-keyword, .hljs-selector-tag, .hljs-meta .hljs-keyword, .hljs-doctag, .hljs-template-tag { color: #cf222e; }
.hljs-string, .hljs-regexp, .hljs-meta .hljs-string { color: #0a3069; }
.hljs-title, .hljs-title.class_, .hljs-title.function_, .hljs-section { color: #8250df; }
.hljs-number, .hljs-literal, .hljs-attr, .hljs-attribute, .hljs-variable, .hljs-selector-class, .hljs-selector-id { color: #0550ae; }
.hljs-built_in, .hljs-symbol, .hljs-type { color: #953800; }
.hljs-subst { color: var(--fg); }
.hljs-params { color: inherit; }
@media print {
  @page { size: landscape; margin: 12mm; }
  body { font-size: 15px; }
  .js .slide:not(.current), .slide { display: flex !important; min-height: auto; height: auto; padding: 0;
    break-after: page; page-break-after: always; justify-content: flex-start; }
  .deck-nav { display: none; }
  .line { white-space: pre-wrap; }
  pre, .line.hl, figure.term pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

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
  /** Inline the stylesheet (default), or link it from this URL. */
  cssHref?: string;
  /** Inline the script (default), or load it from this URL. */
  jsSrc?: string;
  /** A link back to the list of decks. */
  indexHref?: string;
}

/** One slide as a `<section>`: its number and deck line ride along as data attributes. */
export function slideSection(slide: RenderedDeck['slides'][number]): string {
  return (
    `<section class="slide" data-number="${slide.number}" data-line="${slide.line}" aria-label="${escapeHtml(`Slide ${slide.number}: ${slide.title}`)}">\n` +
    slide.html +
    `</section>\n`
  );
}

/** A whole HTML page for a deck. */
export function deckPage(deck: RenderedDeck, options: PageOptions = {}): string {
  const css = options.cssHref ? `<link rel="stylesheet" href="${escapeHtml(options.cssHref)}">` : `<style>${deckCss}</style>`;
  const js = options.jsSrc ? `<script src="${escapeHtml(options.jsSrc)}"></script>` : `<script>${deckJs}</script>`;
  const index = options.indexHref ? `<a href="${escapeHtml(options.indexHref)}">All decks</a>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="session-store-workshop deck">
<title>${escapeHtml(deck.title)}</title>
${css}
</head>
<body>
<main class="deck" data-deck="${escapeHtml(deck.name)}">
${deck.slides.map(slideSection).join('')}</main>
<nav class="deck-nav" aria-label="Slides">${index}<button type="button" data-deck-prev aria-label="Previous slide">←</button><span data-deck-counter></span><button type="button" data-deck-next aria-label="Next slide">→</button></nav>
${js}
</body>
</html>
`;
}

/**
 * For a server: the real path of an asset the decks name (`img/x.png`),
 * or undefined when it is missing or outside slides/.
 */
export function resolveAsset(rel: string, options: { slidesDir?: string; files?: FileReader } = {}): string | undefined {
  const found = resolveInside(options.files ?? diskFiles, options.slidesDir ?? defaultSlidesDir, rel, 'slides/');
  return found.ok ? found.path : undefined;
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
