// "Open in editor" for file names in hints and errors, the way Vite's error
// overlay does it: `workspace/app.js:12` opens app.js at line 12 in the
// learner's editor (launch-editor guesses it, or $LAUNCH_EDITOR / $EDITOR).
// Only files inside the workspace or the repository may be opened, and the
// page makes buttons only of references to files that exist (existingRefs):
// "Node.js" or a URL like /stylesheets/style.css stay text.
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, isAbsolute, resolve } from 'node:path';
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

/** Which of `refs` name a file that exists (and may be opened): the page makes buttons of those only. */
export async function existingRefs(refs: readonly string[], roots: { workspace: string; repo: string }): Promise<Record<string, boolean>> {
  const found: Record<string, boolean> = {};
  await Promise.all(
    refs.map(async (text) => {
      const ref = parseFileRef(text);
      found[text] = ref ? (await resolveFileRef(ref, roots)) !== undefined : false;
    }),
  );
  return found;
}

// Editors that take over the terminal they start in: the runner's own, here.
const terminalEditors = new Set(['vi', 'vim', 'nvim', 'emacs', 'nano', 'micro', 'helix', 'hx', 'kak', 'ne']);

/** The editor launch-editor would start ($LAUNCH_EDITOR, a running editor, $VISUAL, $EDITOR), or undefined. */
function guessedEditor(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const guess = require('launch-editor/guess.js') as (specified?: string) => (string | null)[];
    return guess()[0] ?? undefined;
  } catch {
    return undefined;
  }
}

/** Opens the file in the learner's editor; resolves with an error sentence when that fails. */
export async function openInEditor(file: string, ref: FileRef): Promise<string | undefined> {
  const editor = guessedEditor();
  const way = 'set LAUNCH_EDITOR to your editor\'s command (e.g. LAUNCH_EDITOR=code) and restart the workshop, or open it yourself';
  if (!editor) return `No editor was found to open it: ${way}.`;
  // A terminal editor would fight the runner for its terminal.
  if (terminalEditors.has(basename(editor.split(/\s+/)[0] ?? ''))) return `Your editor (${editor}) runs in a terminal, so the workshop cannot open it for you: ${way}.`;
  const { default: launch } = await import('launch-editor');
  const spec = `${file}${ref.line ? `:${ref.line}${ref.column ? `:${ref.column}` : ''}` : ''}`;
  return new Promise((done) => {
    let failed: string | undefined;
    launch(spec, undefined, (_name: string, message: string | null) => {
      failed = `Could not open your editor${message ? ` (${message.trim()})` : ''}: ${way}.`;
    });
    // launch-editor reports failure synchronously or soon after spawning.
    setTimeout(() => done(failed), 300);
  });
}
