// "Open in editor" for file names in hints and errors, the way Vite's error
// overlay does it: `workspace/app.js:12` opens app.js at line 12 in the
// learner's editor (launch-editor guesses it, or $LAUNCH_EDITOR / $EDITOR).
// Only files inside the workspace or the repository may be opened.
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { isInside } from './security.ts';

export interface FileRef {
  path: string;
  line?: number;
  column?: number;
}

/** `workspace/app.js:12:5` → { path, line, column }; undefined when it isn't a file reference. */
export function parseFileRef(text: string): FileRef | undefined {
  const m = /^([^\0:]+?)(?::(\d+))?(?::(\d+))?$/.exec(text.trim());
  if (!m || !m[1]) return undefined;
  return {
    path: m[1],
    ...(m[2] ? { line: Number(m[2]) } : {}),
    ...(m[3] ? { column: Number(m[3]) } : {}),
  };
}

/**
 * Where a reference points: `workspace/…` is the learner's workspace
 * (wherever it lives), anything else is relative to the repository. The
 * real path must be inside one of them; undefined otherwise or if missing.
 */
export async function resolveFileRef(ref: FileRef, roots: { workspace: string; repo: string }): Promise<string | undefined> {
  const p = ref.path.replace(/^\.\//, '');
  const candidates = isAbsolute(p)
    ? [p]
    : p.startsWith('workspace/')
      ? [resolve(roots.workspace, p.slice('workspace/'.length)), resolve(roots.repo, p)]
      : [resolve(roots.workspace, p), resolve(roots.repo, p)];
  const allowed = await Promise.all([roots.workspace, roots.repo].map((r) => realpath(r).catch(() => r)));
  for (const c of candidates) {
    const real = await realpath(c).catch(() => undefined);
    if (real && allowed.some((root) => isInside(root, real))) return real;
  }
  return undefined;
}

/** Opens the file in the learner's editor; resolves with an error sentence when that fails. */
export async function openInEditor(file: string, ref: FileRef): Promise<string | undefined> {
  const { default: launch } = await import('launch-editor');
  const spec = `${file}${ref.line ? `:${ref.line}${ref.column ? `:${ref.column}` : ''}` : ''}`;
  return new Promise((done) => {
    let failed: string | undefined;
    launch(spec, undefined, (_name: string, message: string | null) => {
      failed = `Could not open your editor${message ? ` (${message.trim()})` : ''}: set LAUNCH_EDITOR or EDITOR to its command, e.g. LAUNCH_EDITOR=code.`;
    });
    // launch-editor reports failure synchronously or soon after spawning.
    setTimeout(() => done(failed), 300);
  });
}
