// Deck text → slides. Pure: no file is read here, so the parser can be
// tested on any text and every slide, heading and directive keeps the
// deck line it came from (for lint messages and "edit this slide" links).
//
// The format (docs/deck-format.md):
//   ---                         on a line of its own, separates slides
//   ###.center Text             a heading with classes
//   code src='…' lines='A-B' highlight='N:*' region='name'
//   term src='…'
// Everything else is markdown, raw HTML allowed.

export interface Heading {
  depth: number;
  /** Plain text: markdown and HTML removed. */
  text: string;
  classes: string[];
  line: number;
}

export interface Directive {
  kind: 'directive';
  name: 'code' | 'term';
  attrs: Record<string, string>;
  /** Attribute problems found while parsing (unknown names, repeats). */
  errors: string[];
  line: number;
  raw: string;
}

export interface Markdown {
  kind: 'markdown';
  text: string;
  /** Deck line of the block's first line. */
  line: number;
}

/** A line shaped like a directive whose name we don't know: a lint error, never silently text. */
export interface UnknownDirective {
  kind: 'unknown';
  name: string;
  line: number;
  raw: string;
}

export type Block = Markdown | Directive | UnknownDirective;

export interface Slide {
  /** 1-based, as in links like `step3#14`. */
  number: number;
  /** Deck line of the slide's first line (after its `---`). */
  line: number;
  endLine: number;
  blocks: Block[];
  headings: Heading[];
  /** Classes of the slide's headings, in order (e.g. `center`). */
  classes: string[];
  /** A short name for navigation: first heading, plus the subheading that says what it does. */
  title: string;
}

const knownAttrs: Record<Directive['name'], readonly string[]> = {
  code: ['src', 'lines', 'highlight', 'region', 'lang'],
  term: ['src', 'highlight'],
};

// `name key='v' key="v" key=v`: a whole line, nothing else on it.
const directiveLine = /^([a-z][\w-]*)((?:\s+[a-z][\w-]*=(?:'[^']*'|"[^"]*"|[^\s'"]+))+)\s*$/;
const attrPattern = /([a-z][\w-]*)=(?:'([^']*)'|"([^"]*)"|([^\s'"]+))/g;
const headingLine = /^(#{1,6})(?:\.([\w-]+(?:\.[\w-]+)*))?[ \t]+(.*?)[ \t#]*$/;
const fenceLine = /^\s{0,3}(`{3,}|~{3,})/;

// `code src='…` cut short (an unclosed quote): meant as a directive, so never shown as text.
const brokenDirectiveLine = /^(code|term)\s+[a-z][\w-]*=/;

function parseDirective(raw: string, line: number): Directive | UnknownDirective | undefined {
  const text = raw.trim();
  const m = directiveLine.exec(text);
  const broken = m ? undefined : brokenDirectiveLine.exec(text);
  if (!m && !broken) return undefined;
  const name = (m ?? broken)![1]!;
  if (name !== 'code' && name !== 'term') return { kind: 'unknown', name, line, raw };
  const attrs: Record<string, string> = {};
  const errors = broken ? [`${name}: the line does not parse (write name='value' pairs, each quote closed)`] : [];
  // A broken line's pairs that are whole still count, so the one problem named is the line itself.
  for (const a of (m ? m[2]! : text).matchAll(attrPattern)) {
    const key = a[1]!;
    const value = a[2] ?? a[3] ?? a[4] ?? '';
    if (!knownAttrs[name].includes(key)) {
      errors.push(`${name}: unknown attribute "${key}" (known: ${knownAttrs[name].join(', ')})`);
    } else if (key in attrs) {
      errors.push(`${name}: "${key}" is given twice`);
    }
    attrs[key] = value;
  }
  return { kind: 'directive', name, attrs, errors, line, raw };
}

/** Heading text as a reader sees it: no markdown, no tags, entities left alone. */
function plainText(md: string): string {
  return md
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<img\b[^>]*\balt=(["'])(.*?)\1[^>]*>/gi, '$2')
    .replace(/<[^>]+>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function titleOf(headings: Heading[], number: number): string {
  const [first, second] = headings.filter((h) => h.text);
  if (!first) return `Slide ${number}`;
  // The seed's pattern: "## `app.js`" then "### What we do to it".
  if (second && second.depth === first.depth + 1 && second.line === first.line + 1) {
    return `${first.text}: ${second.text}`;
  }
  return first.text;
}

export function parseDeck(text: string): Slide[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const slides: Slide[] = [];
  let start = 1;
  let blocks: Block[] = [];
  let headings: Heading[] = [];
  let md: string[] = [];
  let mdLine = 1;
  let fence: string | undefined;

  const flushMarkdown = () => {
    if (md.some((l) => l.trim())) blocks.push({ kind: 'markdown', text: md.join('\n'), line: mdLine });
    md = [];
  };
  const endSlide = (endLine: number) => {
    flushMarkdown();
    const number = slides.length + 1;
    slides.push({
      number,
      line: start,
      endLine,
      blocks,
      headings,
      classes: headings.flatMap((h) => h.classes),
      title: titleOf(headings, number),
    });
    blocks = [];
    headings = [];
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    // Inside a fenced code block nothing is a separator or a directive.
    const f = fenceLine.exec(raw);
    if (fence) {
      if (f && f[1]!.startsWith(fence)) fence = undefined;
    } else if (f) {
      fence = f[1]!;
    } else if (raw.trim() === '---') {
      endSlide(n - 1);
      start = n + 1;
      mdLine = n + 1;
      return;
    } else {
      const d = parseDirective(raw, n);
      if (d) {
        flushMarkdown();
        blocks.push(d);
        mdLine = n + 1;
        return;
      }
      const h = headingLine.exec(raw);
      if (h) {
        headings.push({
          depth: h[1]!.length,
          classes: h[2] ? h[2].split('.') : [],
          text: plainText(h[3]!),
          line: n,
        });
      }
    }
    if (!md.length) mdLine = n;
    md.push(raw);
  });
  endSlide(lines.length);
  return slides;
}

/** A heading as compared: plain text, lower case, straight quotes. */
export const normalise = (s: string) => plainText(s).toLowerCase().replace(/[’‘]/g, "'");

/**
 * The number of the first slide with a heading whose text is `heading`
 * (case and markdown ignored), so links like `step3#17` can be checked.
 */
export function findSlideIn(slides: readonly Slide[], heading: string): number | undefined {
  const want = normalise(heading);
  return slides.find((s) => s.headings.some((h) => normalise(h.text) === want))?.number;
}
