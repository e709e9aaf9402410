// What separates the learner's workspace from a step's solution, as data
// (for the web UI) and as coloured text (for the terminal). Pure: it takes
// snapshots already read from disk.
import { createTwoFilesPatch } from 'diff';
import { sameEntry, type Entry, type Snapshot } from './tree.ts';

/**
 * One file that differs. The direction is "from the workspace to the
 * solution": `added` is a file only the solution has, `removed` one only
 * the workspace has.
 */
export interface FileDiff {
  path: string;
  status: 'added' | 'removed' | 'changed';
  /** Binary files get no patch, only their status. */
  binary: boolean;
  /** A unified diff (`--- a/...`, `+++ b/...`, `@@` hunks); empty for binary files. */
  patch: string;
  additions: number;
  deletions: number;
}

export interface TreeDiff {
  /** Labels of the two sides, as shown in patch headers: e.g. `workspace`, `step2`. */
  from: string;
  to: string;
  identical: boolean;
  files: FileDiff[];
}

// Git's rule of thumb: a NUL byte in the first 8000 bytes means binary.
function isBinary(entry: Entry | undefined): boolean {
  return entry?.kind === 'file' && entry.data.subarray(0, 8000).includes(0);
}

function text(entry: Entry | undefined): string {
  if (!entry) return '';
  return entry.kind === 'file' ? entry.data.toString('utf8') : `symlink → ${entry.target}\n`;
}

export function diffSnapshots(ours: Snapshot, theirs: Snapshot, from: string, to: string): TreeDiff {
  const paths = [...new Set([...ours.keys(), ...theirs.keys()])].sort();
  const files: FileDiff[] = [];
  for (const path of paths) {
    const a = ours.get(path);
    const b = theirs.get(path);
    if (sameEntry(a, b)) continue;
    const status = !a ? 'added' : !b ? 'removed' : 'changed';
    const binary = isBinary(a) || isBinary(b);
    const patch = binary
      ? ''
      : createTwoFilesPatch(
          a ? `${from}/${path}` : '/dev/null',
          b ? `${to}/${path}` : '/dev/null',
          text(a),
          text(b),
          undefined,
          undefined,
          { context: 3 },
        );
    const lines = patch.split('\n');
    files.push({
      path,
      status,
      binary,
      patch,
      additions: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length,
      deletions: lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length,
    });
  }
  return { from, to, identical: files.length === 0, files };
}

/** The subset of picocolors we use, so callers choose whether colour is on. */
export interface Colors {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
}

function colourLine(line: string, c: Colors): string {
  if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
  if (line.startsWith('+')) return c.green(line);
  if (line.startsWith('-')) return c.red(line);
  if (line.startsWith('@@')) return c.cyan(line);
  if (line.startsWith('\\')) return c.dim(line);
  return line;
}

/** The diff as a terminal shows it: each file's patch, coloured, then a one-line summary. */
export function formatDiff(diff: TreeDiff, c: Colors): string {
  if (diff.identical) return `${diff.from}/ is identical to ${diff.to}'s solution.`;
  const out: string[] = [];
  for (const file of diff.files) {
    if (file.binary) {
      out.push(c.bold(`Binary file ${file.path} ${file.status === 'changed' ? 'differs' : `is only in ${file.status === 'added' ? diff.to : diff.from}`}`));
      continue;
    }
    // The "Index:" and "====" lines the diff package writes say nothing a learner needs.
    const lines = file.patch.split('\n').filter((l) => !l.startsWith('Index:') && !/^=+$/.test(l));
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    out.push(...lines.map((l) => colourLine(l, c)), '');
  }
  out.push(summary(diff));
  return out.join('\n');
}

export function summary(diff: TreeDiff): string {
  const count = (s: FileDiff['status']) => diff.files.filter((f) => f.status === s).length;
  const parts = [
    count('changed') && `${count('changed')} changed`,
    count('added') && `${count('added')} only in ${diff.to}`,
    count('removed') && `${count('removed')} only in ${diff.from}/`,
  ].filter(Boolean);
  const n = diff.files.length;
  return `${n} ${n === 1 ? 'file differs' : 'files differ'}: ${parts.join(', ')}.`;
}
