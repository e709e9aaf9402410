// Which lines of a file a `code` directive shows, and which stand out.
// Pure: given the file's lines and the directive's attributes, it answers
// with file line numbers, or with the one sentence that says what is wrong.

export interface Excerpt {
  /** First and last file line shown, 1-based, inclusive. */
  from: number;
  to: number;
  /** File line numbers to highlight. */
  highlight: Set<number>;
}

export type ExcerptResult = { ok: true; excerpt: Excerpt } | { ok: false; message: string };

/** The lines of a text file; a final newline does not make an extra empty line. */
export function fileLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The lines between `#region name` and its `#endregion` (markers excluded),
 * in any comment style: `// #region`, `//- #region`, `/* #region *\/`.
 */
function findRegion(lines: readonly string[], name: string): { from: number; to: number } | undefined {
  const stack: { name: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /#region\s+([\w.-]+)/.exec(lines[i]!);
    if (open) {
      stack.push({ name: open[1]!, line: i + 1 });
      continue;
    }
    if (/#endregion\b/.test(lines[i]!)) {
      const top = stack.pop();
      if (top?.name === name) return { from: top.line + 1, to: i };
    }
  }
  return undefined;
}

/** Every `#region` name in the file, for a helpful message. */
function regionNames(lines: readonly string[]): string[] {
  return lines.flatMap((l) => /#region\s+([\w.-]+)/.exec(l)?.[1] ?? []);
}

/**
 * `highlight='6:*,8:*'` (the seed's form), also `6`, `6-9`: numbers count
 * within the excerpt, 1 being its first line.
 */
export function parseHighlight(spec: string): { ok: true; lines: number[] } | { ok: false; message: string } {
  const lines: number[] = [];
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?(?::\*)?$/.exec(item);
    if (!m) return { ok: false, message: `highlight "${item}" is not a line (N, N:* or N-M)` };
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    if (a < 1 || b < a) return { ok: false, message: `highlight "${item}" is not a line (N, N:* or N-M)` };
    for (let n = a; n <= b; n++) lines.push(n);
  }
  return { ok: true, lines };
}

export function selectExcerpt(lines: readonly string[], attrs: Record<string, string | undefined>): ExcerptResult {
  const count = lines.length;
  let from = 1;
  let to = count;
  if (attrs.lines !== undefined && attrs.region !== undefined) {
    return { ok: false, message: 'give lines or region, not both' };
  }
  if (attrs.lines !== undefined) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(attrs.lines);
    if (!m) return { ok: false, message: `lines="${attrs.lines}" is not a range like 15-25` };
    from = Number(m[1]);
    to = m[2] ? Number(m[2]) : from;
    if (from < 1 || to < from) return { ok: false, message: `lines="${attrs.lines}" is not a range like 15-25` };
    if (to > count) {
      return { ok: false, message: `lines="${attrs.lines}" is outside the file, which has ${count} lines` };
    }
  }
  if (attrs.region !== undefined) {
    const region = findRegion(lines, attrs.region);
    if (!region) {
      const known = regionNames(lines);
      return {
        ok: false,
        message: `no "#region ${attrs.region}" … "#endregion" in the file` + (known.length ? ` (it has: ${known.join(', ')})` : ''),
      };
    }
    if (region.to < region.from) return { ok: false, message: `region "${attrs.region}" is empty` };
    ({ from, to } = region);
  }
  const spec = parseHighlight(attrs.highlight ?? '');
  if (!spec.ok) return spec;
  const size = to - from + 1;
  const outside = spec.lines.find((n) => n > size);
  if (outside !== undefined) {
    return {
      ok: false,
      message: `highlight ${outside} is outside the excerpt, which has ${size} line${size === 1 ? '' : 's'} (highlight counts from the excerpt's first line)`,
    };
  }
  return { ok: true, excerpt: { from, to, highlight: new Set(spec.lines.map((n) => from + n - 1)) } };
}
