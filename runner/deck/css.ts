// The deck page's stylesheet: layout of slides, code excerpts and terminals,
// and the highlight colours. A module of its own, with no imports, so the web
// UI can serve it without loading the highlighter.
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
