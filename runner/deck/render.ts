// Slides → HTML fragments, shared by the export and the web UI.
//
// Markdown goes through `marked` with two extensions: `#.class` headings
// and asset links resolved against slides/. `code` and `term` directives
// read the files they name (through an injectable FileReader), so a slide
// always shows the step's code as it is now. Whatever cannot be shown
// becomes a Problem with the deck line *and* a visible error on the slide,
// never a silently empty slide.
import { Marked, type Tokens, type TokenizerAndRendererExtension } from 'marked';
import { join, relative } from 'node:path';
import { findStep, steps, workshop, type Step } from '../steps.ts';
import { fileLines, parseHighlight, selectExcerpt } from './excerpt.ts';
import { diskFiles, resolveInside, type FileReader } from './files.ts';
import { escapeHtml, highlightLines, languageOf } from './highlight.ts';
import { parseDeck, type Directive, type Slide } from './parse.ts';
import type { Problem } from './problem.ts';

export interface RenderOptions {
  /** The workshop's folder (default: the one this process serves): `code src=` paths are relative to it. */
  root?: string;
  /** `term src=` paths and assets are relative to it. */
  slidesDir?: string;
  files?: FileReader;
  /**
   * The URL an asset is shown at, given its path relative to slides/ and
   * its real path. Default: the relative path, as written in the deck.
   */
  assetUrl?: (rel: string, path: string) => string;
}

export interface RenderedSlide {
  /** 1-based: `step3#14` is slide 14. */
  number: number;
  /** Deck line where the slide starts. */
  line: number;
  title: string;
  classes: string[];
  /** The slide's content, safe to put inside a `<section>`. */
  html: string;
}

export interface RenderedDeck {
  /** `step3`, or the deck's file name without `.md`. */
  name: string;
  /** The deck, relative to the repository root: `slides/step3.md`. */
  file: string;
  title: string;
  slides: RenderedSlide[];
  problems: Problem[];
}

// Decks written for the seed name `node/auth-workshop/step3/app.js`.
const seedPath = /^node\/auth-workshop\/(step\d+)\//;
function codePath(src: string): string {
  return src.replace(seedPath, 'steps/$1/');
}

interface Context {
  root: string;
  slidesDir: string;
  files: FileReader;
  assetUrl: (rel: string, path: string) => string;
  deckFile: string;
  problems: Problem[];
  /** The markdown block being rendered, to find the line of an asset in it. */
  block: { text: string; line: number };
}

let ctx: Context | undefined;

const isRelativeAsset = (url: string) => !/^(?:[a-z][a-z\d+.-]*:|\/|#)/i.test(url) && url !== '';

function errorHtml(c: Context, line: number, message: string): string {
  c.problems.push({ file: c.deckFile, line, message });
  return `<div class="deck-error" role="alert">${escapeHtml(`${c.deckFile}:${line}: ${message}`)}</div>`;
}

/** The URL to show for an asset the deck names, recording a problem when it is missing. */
function assetSrc(c: Context, url: string): string {
  if (!isRelativeAsset(url)) return url;
  const [path = '', suffix = ''] = /^([^?#]*)(.*)$/.exec(url)!.slice(1);
  const found = resolveInside(c.files, c.slidesDir, decodeURI(path), 'slides/');
  if (found.ok && c.files.read(found.path) !== undefined) return c.assetUrl(path, found.path) + suffix;
  const at = c.block.text.indexOf(url);
  const line = c.block.line + (at < 0 ? 0 : c.block.text.slice(0, at).split('\n').length - 1);
  c.problems.push({ file: c.deckFile, line, message: `asset ${found.ok ? `"${url}" cannot be read` : found.message}` });
  return url;
}

// `###.center Thanks`: a heading with classes.
const classHeading: TokenizerAndRendererExtension = {
  name: 'classHeading',
  level: 'block',
  start: (src) => /^#{1,6}\.[\w-]/m.exec(src)?.index,
  tokenizer(src) {
    const m = /^(#{1,6})\.([\w-]+(?:\.[\w-]+)*)[ \t]+([^\n]*?)[ \t#]*(?:\n+|$)/.exec(src);
    if (!m) return undefined;
    return {
      type: 'classHeading',
      raw: m[0],
      depth: m[1]!.length,
      classes: m[2]!.split('.'),
      tokens: this.lexer.inlineTokens(m[3]!),
    };
  },
  renderer(token) {
    const tag = `h${token.depth as number}`;
    return `<${tag} class="${escapeHtml((token.classes as string[]).join(' '))}">${this.parser.parseInline(token.tokens ?? [])}</${tag}>\n`;
  },
};

const marked = new Marked({ gfm: true, async: false });
marked.use({
  extensions: [classHeading],
  renderer: {
    image({ href, title, text }: Tokens.Image) {
      const src = ctx ? assetSrc(ctx, href) : href;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<img src="${escapeHtml(src)}" alt="${escapeHtml(text)}"${t}>`;
    },
    // Fenced code in a slide is highlighted like the files are. A shell snippet's lines are
    // commands: the page rewrites them for its runner (public/commands.js), as it does a transcript's.
    code({ text, lang }: Tokens.Code) {
      const language = lang ? languageOf(`x.${lang}`, lang) ?? languageOf(`x.${lang}`) : undefined;
      const body = highlightLines(text, language).map((html) => lineHtml(undefined, html, false)).join('');
      return `<figure class="code snippet${isShell(lang) ? ' shell' : ''}"><pre><code class="hljs${language ? ` language-${language}` : ''}">${body}</code></pre></figure>\n`;
    },
    // Raw HTML is part of the format; its `src` attributes are assets like any other.
    html({ text }: Tokens.HTML | Tokens.Tag) {
      const c = ctx;
      if (!c) return text;
      return text.replace(/(\bsrc\s*=\s*)(["'])(.*?)\2/gi, (all, attr: string, q: string, url: string) =>
        isRelativeAsset(url) ? `${attr}${q}${escapeHtml(assetSrc(c, url))}${q}` : all,
      );
    },
  },
});

/** A fence's language naming a shell session: its lines are commands to type. */
export function isShell(lang: string | undefined): boolean {
  return /^(?:sh|bash|zsh|shell|console|shell-session)$/i.test(lang ?? '');
}

function lineHtml(n: number | undefined, content: string, highlighted: boolean): string {
  const num = n === undefined ? '' : `<span class="ln" aria-hidden="true">${n}</span>`;
  return `<span class="line${highlighted ? ' hl' : ''}"${n === undefined ? '' : ` data-line="${n}"`}>${num}<span class="lc">${content || '\u200b'}</span></span>`;
}

function renderCode(c: Context, d: Directive): string {
  const src = d.attrs.src ?? '';
  if (!src) return errorHtml(c, d.line, 'code: src is missing');
  const rel = codePath(src);
  const found = resolveInside(c.files, c.root, rel, 'the repository');
  if (!found.ok) return errorHtml(c, d.line, `code: ${found.message}`);
  const bytes = c.files.read(found.path);
  if (bytes === undefined) return errorHtml(c, d.line, `code: "${rel}" cannot be read`);
  const text = bytes.toString('utf8');
  const lines = fileLines(text);
  const chosen = selectExcerpt(lines, d.attrs);
  if (!chosen.ok) return errorHtml(c, d.line, `code ${rel}: ${chosen.message}`);
  const { from, to, highlight } = chosen.excerpt;
  const language = languageOf(rel, d.attrs.lang);
  if (d.attrs.lang && !language) return errorHtml(c, d.line, `code: unknown lang "${d.attrs.lang}"`);
  const coloured = highlightLines(lines.join('\n'), language);
  const body = coloured
    .slice(from - 1, to)
    .map((html, i) => lineHtml(from + i, html, highlight.has(from + i)))
    .join('');
  const range = from === 1 && to === lines.length ? '' : ` <span class="range">lines ${from}–${to}</span>`;
  return (
    `<figure class="code${to - from >= 18 ? ' long' : ''}" data-src="${escapeHtml(rel)}" data-from="${from}" data-to="${to}">` +
    `<figcaption>${escapeHtml(rel)}${range}</figcaption>` +
    `<pre><code class="hljs${language ? ` language-${language}` : ''}">${body}</code></pre></figure>\n`
  );
}

function renderTerm(c: Context, d: Directive): string {
  const src = d.attrs.src ?? '';
  if (!src) return errorHtml(c, d.line, 'term: src is missing');
  const found = resolveInside(c.files, c.slidesDir, src, 'slides/');
  if (!found.ok) return errorHtml(c, d.line, `term: ${found.message}`);
  const bytes = c.files.read(found.path);
  if (bytes === undefined) return errorHtml(c, d.line, `term: "${src}" cannot be read`);
  const lines = fileLines(bytes.toString('utf8'));
  const spec = parseHighlight(d.attrs.highlight ?? '');
  if (!spec.ok) return errorHtml(c, d.line, `term ${src}: ${spec.message}`);
  const outside = spec.lines.find((n) => n > lines.length);
  if (outside !== undefined) {
    return errorHtml(c, d.line, `term ${src}: highlight ${outside} is outside the transcript, which has ${lines.length} lines`);
  }
  const hl = new Set(spec.lines);
  const body = lines
    .map((line, i) => {
      // `$ command` is what the learner types; the rest is what they see back.
      const m = /^\$ (.*)$/.exec(line);
      const html = m
        ? `<span class="prompt" aria-hidden="true">$ </span><span class="cmd">${escapeHtml(m[1]!)}</span>`
        : escapeHtml(line);
      return lineHtml(undefined, html, hl.has(i + 1));
    })
    .join('');
  return `<figure class="term" data-src="${escapeHtml(src)}"><pre>${body}</pre></figure>\n`;
}

function renderSlide(c: Context, slide: Slide): RenderedSlide {
  let html = '';
  for (const block of slide.blocks) {
    if (block.kind === 'markdown') {
      c.block = block;
      html += marked.parse(block.text) as string;
    } else if (block.kind === 'unknown') {
      html += errorHtml(c, block.line, `unknown directive "${block.name}" (known: code, term)`);
    } else {
      for (const message of block.errors) html += errorHtml(c, block.line, message);
      html += block.name === 'code' ? renderCode(c, block) : renderTerm(c, block);
    }
  }
  return { number: slide.number, line: slide.line, title: slide.title, classes: slide.classes, html };
}

function context(options: RenderOptions, deckPath: string): Context {
  const root = options.root ?? workshop().root;
  return {
    root,
    slidesDir: slidesDirOf(options),
    files: options.files ?? diskFiles,
    assetUrl: options.assetUrl ?? ((rel) => rel),
    deckFile: relative(root, deckPath) || deckPath,
    problems: [],
    block: { text: '', line: 1 },
  };
}

/** Renders deck text; `deckPath` (absolute) names the deck in problems. */
export function renderDeckText(text: string, deckPath: string, options: RenderOptions = {}): RenderedDeck {
  const c = context(options, deckPath);
  const slides = parseDeck(text);
  ctx = c; // rendering is synchronous: the marked renderer reads it
  try {
    const rendered = slides.map((s) => renderSlide(c, s));
    const name = deckPath.replace(/^.*[\\/]/, '').replace(/\.md$/, '');
    return { name, file: c.deckFile, title: slides[0]?.title ?? name, slides: rendered, problems: c.problems };
  } finally {
    ctx = undefined;
  }
}

/** A path of the workshop, in a copy of it at `options.root` if one is named. */
function inRoot(path: string, options: RenderOptions): string {
  return options.root ? join(options.root, relative(workshop().root, path)) : path;
}

/** The slides folder the options name: `slidesDir`, else the workshop's (in `root`). */
export function slidesDirOf(options: RenderOptions): string {
  return options.slidesDir ?? inRoot(workshop().slides, options);
}

/** The deck file of a step (`step3`, `3`), as the workshop's description names it. */
export function deckPathOf(step: string | Step, options: RenderOptions = {}): string | undefined {
  const found = typeof step === 'string' ? findStep(step) : step;
  return found && inRoot(found.deck, options);
}

/** Renders a step's deck, reading it (and what it names) now: edits show at once. */
export function renderDeck(step: string | Step, options: RenderOptions = {}): RenderedDeck {
  const path = deckPathOf(step, options);
  if (!path) throw new Error(`There is no step "${String(step)}".`);
  const bytes = (options.files ?? diskFiles).read(path);
  if (bytes === undefined) {
    const c = context(options, path);
    const name = typeof step === 'string' ? (findStep(step)?.name ?? step) : step.name;
    return { name, file: c.deckFile, title: name, slides: [], problems: [{ file: c.deckFile, line: 1, message: 'the deck is missing' }] };
  }
  return renderDeckText(bytes.toString('utf8'), path, options);
}

/** Every step's deck, in step order. */
export function renderDecks(options: RenderOptions = {}): RenderedDeck[] {
  return steps().map((s) => renderDeck(s, options));
}
