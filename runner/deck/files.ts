// Reading what a deck names, and only what it may name.
//
// The renderer reads through a FileReader so tests can hand it files that
// differ from the disk. Every path is resolved and then checked with
// symlinks followed: code comes from inside the repository, transcripts and
// images from inside slides/, and nothing else is ever read.
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export interface FileReader {
  /** The file's bytes, or undefined when it cannot be read (missing, a directory). */
  read(path: string): Buffer | undefined;
  /** The path with symlinks followed, or undefined when it does not exist. */
  realpath(path: string): string | undefined;
}

export const diskFiles: FileReader = {
  read(path) {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  },
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};

function isInside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' ? false : !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

export type Resolved = { ok: true; path: string } | { ok: false; message: string };

/**
 * `rel` against `base`, as a real path that must stay inside `base`.
 * `what` names the base in messages ("the repository", "slides/").
 */
export function resolveInside(files: FileReader, base: string, rel: string, what: string): Resolved {
  if (!rel) return { ok: false, message: 'no path given' };
  if (isAbsolute(rel) || rel.includes('\0')) return { ok: false, message: `"${rel}" must be a path relative to ${what}` };
  const wanted = resolve(base, rel);
  const realBase = files.realpath(base) ?? base;
  // Checked before and after following links: "../" and a link that leaves both fail.
  if (!isInside(base, wanted)) return { ok: false, message: `"${rel}" is outside ${what}` };
  const real = files.realpath(wanted);
  if (!real) return { ok: false, message: `"${rel}" does not exist` };
  if (!isInside(realBase, real)) return { ok: false, message: `"${rel}" leads outside ${what}` };
  return { ok: true, path: real };
}
