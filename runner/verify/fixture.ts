// A fixture: an app folder with a verdict.json, the verdict the app must
// get (`check-content`, and a workshop's own tests). A fixture is either a
// whole app, or an overlay: its verdict.json names a `base` (a folder of the
// workshop, normally a step's solution) and the folder holds only the files
// that differ from it, and may `remove` some of the base's. An overlay runs
// as base + overlay in a temporary folder, removed afterwards.
import { existsSync, rmSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** What a fixture's verdict.json says. */
export interface Verdict {
  step: string;
  /** Exactly these checks fail (none: the app passes). */
  fails: string[];
  /** Exactly these are skipped (none when absent). */
  skips?: string[];
  /** The first failure's hint matches this regular expression's source. */
  hint?: string;
  timeoutMs?: number;
  /** An overlay's base: a folder relative to the workshop's root, e.g. "steps/step4". */
  base?: string;
  /** Files of the base the overlay deletes, relative to the app: ["lib/failures.js"]. */
  remove?: string[];
}

/** The keys verdict.json may have; any key starting with "$" (a "$comment") is free. */
export const verdictKeys = ['step', 'fails', 'skips', 'hint', 'timeoutMs', 'base', 'remove'] as const;

/** A fixture folder and its verdict; `base` absolute when it is an overlay. */
export interface Fixture {
  dir: string;
  verdict: Verdict;
  base?: string;
  remove?: string[];
}

/** A verdict.json that cannot be used: every mistake, one sentence each, naming the file. */
export class FixtureError extends Error {
  override name = 'FixtureError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `In ${file}, ${p}.`).join('\n'));
  }
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};
const isDir = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
};

/** Whether `dir` is an overlay fixture: its verdict.json names a base (right or wrong). */
export function isOverlay(dir: string): Promise<boolean> {
  return namesBase(join(dir, 'verdict.json'));
}

/** Whether a verdict.json names a base (an overlay, which cannot be another's base). */
async function namesBase(file: string): Promise<boolean> {
  try {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof data === 'object' && data !== null && 'base' in data;
  } catch {
    return false;
  }
}

/**
 * The fixture in `dir`, whose verdict.json names a base relative to `root`
 * (the workshop's folder); undefined when `dir` has no verdict.json.
 * Throws a FixtureError listing every mistake of the verdict.json.
 */
export async function readFixture(dir: string, root: string): Promise<Fixture | undefined> {
  const file = join(dir, 'verdict.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const named = relative(root, file) || file;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FixtureError(named, [`the JSON does not parse (${(err as Error).message})`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new FixtureError(named, ['the JSON is not an object like { "step": "step1", "fails": [] }']);
  const v = data as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(v)) {
    if (!key.startsWith('$') && !(verdictKeys as readonly string[]).includes(key)) problems.push(`"${key}" is not a key of a verdict: they are ${verdictKeys.map((k) => `"${k}"`).join(', ')}`);
  }
  if (typeof v.step !== 'string' || !v.step) problems.push(`"step" must name the step the app is checked against, e.g. "step": "step1" (got ${JSON.stringify(v.step)})`);
  if (!strings(v.fails)) problems.push(`"fails" must list the ids of the checks that fail, [] when the app passes (got ${JSON.stringify(v.fails)})`);
  if (v.skips !== undefined && !strings(v.skips)) problems.push(`"skips" must list the ids of the checks that are skipped (got ${JSON.stringify(v.skips)})`);
  if (v.hint !== undefined) {
    if (typeof v.hint !== 'string') problems.push(`"hint" must be a regular expression's source, as a string (got ${JSON.stringify(v.hint)})`);
    else {
      try {
        new RegExp(v.hint);
      } catch (err) {
        problems.push(`"hint" is not a regular expression: ${(err as Error).message}`);
      }
    }
  }
  if (v.timeoutMs !== undefined && !(typeof v.timeoutMs === 'number' && v.timeoutMs > 0)) problems.push(`"timeoutMs" must be a number of milliseconds (got ${JSON.stringify(v.timeoutMs)})`);

  let base: string | undefined;
  if (v.base !== undefined) {
    if (typeof v.base !== 'string' || !v.base) problems.push(`"base" must be a folder relative to the workshop's folder, e.g. "steps/step1" (got ${JSON.stringify(v.base)})`);
    else {
      const at = resolve(root, v.base);
      const state = isDir(at);
      if (isAbsolute(v.base)) problems.push(`"base" names ${v.base}, an absolute path: name a folder relative to the workshop's folder, e.g. "steps/step1"`);
      else if (!inside(root, at)) problems.push(`"base" names ${v.base}, which is outside the workshop's folder: name a folder in it, e.g. "steps/step1"`);
      else if (state === undefined) problems.push(`"base" names ${v.base}, which does not exist`);
      else if (!state) problems.push(`"base" names ${v.base}, which is a file, not a folder`);
      else if (inside(at, dir) || inside(dir, at)) problems.push(`"base" names ${v.base}, which holds the fixture itself or is inside it: name another app's folder`);
      else if (await namesBase(join(at, 'verdict.json'))) {
        problems.push(`"base" names ${v.base}, which is itself an overlay (its verdict.json names a base): name a folder with a whole app`);
      } else base = at;
    }
  }
  let remove: string[] | undefined;
  if (v.remove !== undefined) {
    if (v.base === undefined) problems.push(`"remove" needs a "base": only an overlay has files of a base to remove`);
    else if (!strings(v.remove)) problems.push(`"remove" must list files of the base, relative to it, e.g. ["lib/cache.js"] (got ${JSON.stringify(v.remove)})`);
    else if (base) {
      remove = [];
      for (const path of v.remove) {
        const at = resolve(base, path);
        if (isAbsolute(path) || !inside(base, at) || at === base) problems.push(`"remove" lists ${path}, which is not a file inside the base: name one relative to it, e.g. "lib/cache.js"`);
        else if (!existsSync(at)) problems.push(`"remove" lists ${path}, which ${v.base} does not have`);
        else if (existsSync(join(dir, path))) problems.push(`"remove" lists ${path}, which the fixture has too: remove it from one of them`);
        else remove.push(path);
      }
    }
  }
  if (base && !existsSync(join(dir, 'package.json')) && (!existsSync(join(base, 'package.json')) || remove?.includes('package.json'))) {
    problems.push(`neither the fixture nor its base ${v.base} has a package.json: an app folder needs one`);
  }
  if (problems.length) throw new FixtureError(named, problems);
  const verdict = v as unknown as Verdict;
  return { dir, verdict, ...(base ? { base, remove: remove ?? [] } : {}) };
}

/** An app's folder to run, and what removes it (nothing, for a whole app). */
export interface FixtureApp {
  dir: string;
  dispose(): Promise<void>;
}

/** Temporary folders still there, removed at the latest when the process exits. */
const live = new Set<string>();
process.on('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

/** The nearest node_modules folder above `dir`: where an app in `dir` finds its packages. */
function nodeModulesAbove(dir: string): string | undefined {
  for (let at = dirname(dir); ; at = dirname(at)) {
    if (basename(at) !== 'node_modules' && isDir(join(at, 'node_modules'))) return join(at, 'node_modules');
    if (dirname(at) === at) return undefined;
  }
}

/**
 * `base` with the files of `overlay` over it, less `remove`, in a new
 * temporary folder named after the overlay. Files are copied (symlinks
 * followed), never linked, and node_modules folders are left out: the
 * packages are the ones the overlay's own folder would find, the nearest
 * node_modules above it (else above the base), linked beside the copy.
 */
export async function overlayApp(base: string, overlay: string, remove: readonly string[] = []): Promise<FixtureApp> {
  const root = await mkdtemp(join(tmpdir(), 'workshop-fixture-'));
  live.add(root);
  const dispose = async () => {
    await rm(root, { recursive: true, force: true });
    live.delete(root);
  };
  try {
    const dir = join(root, basename(overlay));
    const options = { recursive: true, dereference: true, filter: (src: string) => basename(src) !== 'node_modules' };
    await cp(base, dir, options);
    await cp(overlay, dir, options);
    for (const path of remove) await rm(join(dir, path), { recursive: true, force: true });
    const modules = nodeModulesAbove(overlay) ?? nodeModulesAbove(base);
    if (modules) await symlink(modules, join(root, 'node_modules'), 'dir');
    return { dir, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** The app a fixture stands for: its own folder, or base + overlay in a temporary folder. */
export async function fixtureApp(fixture: { dir: string; base?: string; remove?: readonly string[] }): Promise<FixtureApp> {
  if (!fixture.base) return { dir: fixture.dir, dispose: async () => {} };
  return overlayApp(fixture.base, fixture.dir, fixture.remove);
}

/** Runs `fn` on the app a fixture stands for, and removes its temporary folder afterwards, whatever happened. */
export async function withFixtureApp<T>(fixture: { dir: string; base?: string; remove?: readonly string[] }, fn: (dir: string) => Promise<T>): Promise<T> {
  const app = await fixtureApp(fixture);
  try {
    return await fn(app.dir);
  } finally {
    await app.dispose();
  }
}
