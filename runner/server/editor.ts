// "Open in editor" for file names in hints and errors, the way Vite's error
// overlay does it: `workspace/app.js:12` opens app.js at line 12 in the
// learner's editor (launch-editor guesses it, or $LAUNCH_EDITOR / $EDITOR).
// Only files of the workspace, the steps and the slides may be opened (never
// .git/config, a node_modules binary or a dotfile), at a line the file has;
// the page makes buttons only of references that pass (existingRefs):
// "Node.js" or a URL like /stylesheets/style.css stay text.
import { open as openFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
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

export interface FileRoots {
  /** The learner's workspace, wherever it lives: `workspace/…` names its files. */
  workspace: string;
  /** The workshop's folder: other relative names are relative to it. */
  repo: string;
  /** The folders whose files may be opened: the workspace, the steps and the slides. */
  open: readonly string[];
}

/** A path inside `root` that is a dotfile or dependency (`.git/config`, `node_modules/.bin/x`, `.env`). */
function isHiddenIn(root: string, file: string): boolean {
  return relative(root, file).split(sep).some((part) => part.startsWith('.') || part === 'node_modules');
}

/**
 * Where a reference points: `workspace/…` is the learner's workspace
 * (wherever it lives), anything else is relative to the workspace or the
 * repository. The real path (links followed) must be a file inside one of
 * the `open` folders, and not a dotfile or a dependency there; undefined
 * otherwise or if missing.
 */
export async function resolveFileRef(ref: FileRef, roots: FileRoots): Promise<string | undefined> {
  const p = ref.path.replace(/^\.\//, '');
  const candidates = isAbsolute(p)
    ? [p]
    : p.startsWith('workspace/')
      ? [resolve(roots.workspace, p.slice('workspace/'.length)), resolve(roots.repo, p)]
      : [resolve(roots.workspace, p), resolve(roots.repo, p)];
  const allowed = await Promise.all(roots.open.map((r) => realpath(r).catch(() => r)));
  for (const c of candidates) {
    const real = await realpath(c).catch(() => undefined);
    if (real && allowed.some((root) => isInside(root, real) && real !== root && !isHiddenIn(root, real))) return real;
  }
  return undefined;
}

/** Files past this are not text a learner edits: no line of theirs is looked for. */
const maxTextBytes = 4 * 1024 * 1024;

/** How many lines `file` has (a last line without a newline counts); undefined for a folder or a file too big to be source. */
export async function lineCount(file: string): Promise<number | undefined> {
  const handle = await openFile(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxTextBytes) return undefined;
    const text = (await handle.readFile()).toString('utf8');
    if (!text) return 1;
    const lines = text.split('\n').length;
    return text.endsWith('\n') ? lines - 1 : lines;
  } finally {
    await handle.close();
  }
}

/** The file a reference may open (resolveFileRef), when its line, if it names one, is a line of the file. */
export async function openableFile(ref: FileRef, roots: FileRoots): Promise<string | undefined> {
  const file = await resolveFileRef(ref, roots);
  if (!file) return undefined;
  const lines = await lineCount(file);
  if (lines === undefined) return undefined;
  if (ref.line !== undefined && !(Number.isSafeInteger(ref.line) && ref.line >= 1 && ref.line <= lines)) return undefined;
  if (ref.column !== undefined && !(Number.isSafeInteger(ref.column) && ref.column >= 1 && ref.column <= 100_000)) return undefined;
  return file;
}

/** Which of `refs` may be opened (openableFile): the page makes buttons of those only. */
export async function existingRefs(refs: readonly string[], roots: FileRoots): Promise<Record<string, boolean>> {
  const found: Record<string, boolean> = {};
  await Promise.all(
    refs.map(async (text) => {
      const ref = parseFileRef(text);
      found[text] = ref ? (await openableFile(ref, roots)) !== undefined : false;
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
