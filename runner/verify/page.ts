// Reading a rendered page the way a learner reads it: its text, its <h1>,
// the first lines of an error page, and whether it leaks a stack or a path.
// Pure functions: the checks judge what these return.

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : all;
    }
    return entities[code.toLowerCase()] ?? all;
  });
}

/** The page's visible text, one line per block, tags and scripts removed. */
export function pageLines(html: string): string[] {
  const text = html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|h[1-6]|li|pre|tr|title|section|article|header|footer|main)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** The page's visible text on one line. */
export function pageText(html: string): string {
  return pageLines(html).join(' ');
}

/** The text of the first <h1>, or undefined when there is none. */
export function h1Text(html: string): string | undefined {
  const m = /<h1(?:\s[^>]*)?>([\s\S]*?)<\/h1\s*>/i.exec(html);
  return m ? pageText(m[1] ?? '') : undefined;
}

// A stack frame in Node's own code or a library's: noise in a verdict, where the learner's own frames are not.
const libraryFrame = /^at\s(?:node:|.*\(node:|.*[\\/]node_modules[\\/])/;

/** The first lines of a response body, for quoting an error page. */
export function firstLines(body: string, count = 3): string[] {
  const lines = /<[a-z!][^>]*>/i.test(body) ? pageLines(body) : body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines
    .filter((line) => !libraryFrame.test(line))
    .slice(0, count)
    .map((line) => (line.length > 200 ? `${line.slice(0, 200)}…` : line));
}

// "at fn (/abs/file.js:12:5)", "at /abs/file.js:12:5", "at file:///abs/x.mjs:1:2",
// "at node:internal/…:3:4", "at C:\\app\\x.js:1:2": a stack frame, wherever it stands.
const stackFrame = /\bat\s+(?:[^\s()<>"']+(?:\s\[as [^\]]+\])?\s+\()?(?:file:\/\/)?(?:\/[^\s:()<>"']+|[A-Za-z]:\\[^:()<>"']+|node:[\w/.-]+):\d+:\d+\)?/;

/**
 * What in an answer gives the app away to anyone who asks: a stack frame,
 * or the path of one of `dirs` (the app's folder), in its markup or its
 * text (an error page escapes the stack's characters). The offending line,
 * cut to 160 characters, or undefined when the answer shows neither.
 */
export function leakIn(body: string, dirs: readonly string[]): string | undefined {
  const lines = [...pageLines(body), ...body.split(/\r?\n|\\n/)];
  const line = lines.find((l) => stackFrame.test(l) || dirs.some((d) => d.length > 1 && l.includes(d)));
  if (line === undefined) return undefined;
  const trimmed = line.trim();
  return trimmed.length > 160 ? `${trimmed.slice(0, 160)}…` : trimmed;
}
