// The deck page's stylesheet: layout of slides, code excerpts and terminals,
// and the highlight colours, light and dark. A module of its own, with no
// imports, so the web UI can serve it without loading the highlighter.
//
// Sizes inside a slide are in em, so code, captions and text scale together
// (the web UI shrinks a slide's font to fit its box). Every colour of code
// text, comments and line numbers included, reaches 4.5:1 on its background,
// on highlighted lines too: nothing is dimmed by opacity.
export const deckCss = `
:root { color-scheme: light dark;
  --fg: #1f2328; --muted: #59636e; --bg: #fff; --border: #d0d7de; --quote: #424a53;
  --code-bg: #f6f8fa; --hl: #fff5b1; --hl-edge: #b08800; --ln: #59636e;
  --term-bg: #1b1d23; --term-fg: #d5d8de; --term-hl: #3a3520; --accent: #0969da;
  --c-comment: #59636e; --c-keyword: #cf222e; --c-string: #0a3069; --c-title: #8250df;
  --c-number: #0550ae; --c-built-in: #953800;
  --error-fg: #82071e; --error-bg: #ffebe9; --error-edge: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --border: #3d444d; --quote: #b7bdc8;
    --code-bg: #161b22; --hl: #2e2a1a; --hl-edge: #d29922; --ln: #9198a1;
    --term-bg: #010409; --term-hl: #2e2a1a; --accent: #4493f8;
    --c-comment: #9198a1; --c-keyword: #ff7b72; --c-string: #a5d6ff; --c-title: #d2a8ff;
    --c-number: #79c0ff; --c-built-in: #ffa657;
    --error-fg: #ffdcd7; --error-bg: #3c1618; --error-edge: #f85149; }
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font: 21px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
.deck { position: relative; }
.slide { min-height: 100vh; max-width: 1120px; margin: 0 auto; padding: 5vh 5vw 9vh;
  display: flex; flex-direction: column; justify-content: center; position: relative; overflow: hidden;
  overflow-wrap: break-word; }
.js .slide:not(.current) { display: none; }
.slide h1 { font-size: 2.4em; line-height: 1.15; margin: .2em 0; }
.slide h2 { font-size: 1.7em; line-height: 1.2; margin: .2em 0 .1em; }
.slide h3 { font-size: 1.2em; line-height: 1.3; margin: .3em 0; color: var(--muted); font-weight: 600; }
.slide h4 { font-size: 1em; margin: .3em 0; }
.slide p, .slide ul, .slide ol { margin: .45em 0; }
.slide blockquote { margin: .6em 0; padding: .2em 1em; border-left: 5px solid var(--border); color: var(--quote); }
.slide a { color: var(--accent); }
.slide table { border-collapse: collapse; font-size: .8em; }
.slide th, .slide td { border: 1px solid var(--border); padding: .25em .6em; text-align: left; vertical-align: top; }
.center { text-align: center; }
.slide img { max-width: 100%; max-height: 78vh; }
.focus-border { border: 6px solid #eaeef2; border-radius: 8px; box-shadow: 0 3px 16px rgba(0,0,0,.18); }
.slide :not(pre) > code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code-bg);
  padding: .1em .3em; border-radius: 4px; }
figure { margin: .5em 0; position: relative; }
figcaption { font: .7em ui-monospace, Menlo, Consolas, monospace; color: var(--muted); margin-bottom: .2em; }
figcaption .range::before { content: "· "; }
/* "lines 11–24" is one thing: never cut at its dash. */
figcaption .range { white-space: nowrap; }
pre { margin: 0; overflow: auto; font: .85em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  border-radius: 6px; padding: .5em 0; }
figure.code pre { background: var(--code-bg); max-height: 70vh; }
figure.code.long pre { max-height: 50vh; }
/* A long line wraps at its spaces, under its own start, its number alone on the left. */
.line { display: flex; padding-right: 1em; }
.lc { flex: 1; min-width: 0; white-space: pre-wrap; overflow-wrap: break-word; padding-left: 2ch; text-indent: -2ch; }
.line.hl { background: var(--hl); box-shadow: inset 4px 0 0 var(--hl-edge); }
.ln { flex: none; width: 3.2em; padding-right: 1em; text-align: right; color: var(--ln); user-select: none; }
figure.term pre { background: var(--term-bg); color: var(--term-fg); padding: .7em 1em; }
.term .line.hl { background: var(--term-hl); }
.term .prompt { color: #7ee787; user-select: none; }
.term .cmd { color: #fff; font-weight: 600; }
.deck-error { border: 2px solid var(--error-edge); background: var(--error-bg); color: var(--error-fg); padding: .5em .8em; margin: .4em 0;
  font: .67em/1.4 ui-monospace, Menlo, Consolas, monospace; border-radius: 6px; }
.deck-nav { position: fixed; right: 14px; bottom: 10px; display: flex; gap: .5em; align-items: center;
  font: 14px system-ui, sans-serif; color: var(--muted); }
.deck-nav button, .deck-nav a { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--border); border-radius: 6px;
  padding: .2em .6em; cursor: pointer; text-decoration: none; }
.deck-index { max-width: 760px; margin: 8vh auto; padding: 0 5vw; }
.deck-index li { margin: .5em 0; }
/* highlight.js colours (GitHub-like), light enough for a projector. */
.hljs-comment, .hljs-quote { color: var(--c-comment); font-style: italic; }
.hljs-keyword, .hljs-selector-tag, .hljs-meta .hljs-keyword, .hljs-doctag, .hljs-template-tag { color: var(--c-keyword); }
.hljs-string, .hljs-regexp, .hljs-meta .hljs-string { color: var(--c-string); }
.hljs-title, .hljs-title.class_, .hljs-title.function_, .hljs-section { color: var(--c-title); }
.hljs-number, .hljs-literal, .hljs-attr, .hljs-attribute, .hljs-variable, .hljs-selector-class, .hljs-selector-id { color: var(--c-number); }
.hljs-built_in, .hljs-symbol, .hljs-type { color: var(--c-built-in); }
.hljs-subst { color: var(--fg); }
.hljs-params { color: inherit; }
/* Forced colours drop backgrounds and shadows: a highlighted line keeps the system's mark colours. */
@media (forced-colors: active) {
  .line.hl { forced-color-adjust: none; background: Mark; color: MarkText; }
  .line.hl * { color: inherit; }
}
@media print {
  @page { size: landscape; margin: 12mm; }
  body { font-size: 15px; }
  .js .slide:not(.current), .slide { display: flex !important; min-height: auto; height: auto; padding: 0;
    break-after: page; page-break-after: always; justify-content: flex-start; }
  .deck-nav { display: none; }
  pre, .line.hl, figure.term pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
