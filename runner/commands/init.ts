// `workshop init <dir>`: writes a new workshop, a package ready to run, from
// the engine's template/ (a start app, one step with its solution, deck,
// checks and a wrong app as a fixture, package.json, tsconfig.json,
// .gitignore, README). It passes `check-content` as written; the author
// grows it from there.
//
// The folder is written whole or not at all: a mistake in the arguments or
// a place that cannot be written is one sentence, with the way forward, exit
// 2, and whatever was written so far is removed.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { engineRoot } from '../paths.ts';
import { parseCommandArgs } from './args.ts';

const usage = 'Usage: workshop init <dir>   (a new or empty folder for the workshop, e.g. workshop init my-workshop)';

export const templateDir = join(engineRoot, 'template');

/**
 * Files stored under another name in the template: npm pack leaves out any
 * file named .gitignore, so the published engine would lose it.
 */
const storedAs: Record<string, string> = { gitignore: '.gitignore' };

/** Text files whose `{{title}}` is the new workshop's title. */
const titled = new Set(['README.md', 'workshop.json']);

/** Errors that mean "this place cannot hold the workshop", not a bug of ours, with the way forward. */
const placeErrors: Record<string, string> = {
  EACCES: 'you may not write there. Choose a folder you can write to, e.g. workshop init ~/my-workshop.',
  EPERM: 'you may not write there. Choose a folder you can write to, e.g. workshop init ~/my-workshop.',
  EROFS: 'it is on a read-only disk. Choose a folder you can write to, e.g. workshop init ~/my-workshop.',
  ENOSPC: 'the disk is full. Free some space, or choose a folder on another disk.',
  EDQUOT: 'your disk quota is used up. Free some space, or choose a folder on another disk.',
  EFBIG: 'a file is larger than this process may write (ulimit -f). Raise the limit, or run init from another shell.',
  ENOTDIR: 'part of its path is a file. Name a folder elsewhere, e.g. workshop init my-workshop.',
  EEXIST: 'something appeared there while it was being written. Run init again, or name another folder.',
  ENAMETOOLONG: 'its path is too long. Choose a shorter one.',
  ELOOP: 'its path goes round in a loop of links. Choose another folder.',
};

export class InitRefused extends Error {
  override name = 'InitRefused';
}

/** A package name npm accepts, from the folder's name: `My Workshop` → `my-workshop`. */
export function packageNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return name || 'my-workshop';
}

/** A title to start from, from the folder's name: `express-sessions` → `Express sessions`. */
export function titleFor(folder: string): string {
  const words = folder.replace(/[-_.\s]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'My workshop';
}

export interface EngineSpec {
  /** What the new package.json's dependencies say for the engine. */
  spec: string;
  /** Why, in a few words, for the author. */
  why: string;
}

/** Where the running engine was found: the bin as it was run (not resolved through links), and the engine's own folder. */
export interface EnginePlaces {
  bin?: string;
  engine: string;
}

/**
 * The project whose node_modules holds the running engine: the folder
 * before the last `node_modules` of the bin as it was run
 * (`<project>/node_modules/.bin/workshop`, a link npm made), or of the
 * engine's folder (a copy npm unpacked there). A linked engine (a workspace,
 * `npm link`, a `file:` folder) resolves to its source folder, so only the
 * bin's path still names the project.
 */
function installingProject(places: EnginePlaces): string | undefined {
  const marker = `${sep}node_modules${sep}`;
  for (const path of [places.bin, places.engine]) {
    const at = path?.lastIndexOf(marker) ?? -1;
    if (!path || at < 0) continue;
    const project = path.slice(0, at);
    if (existsSync(join(project, 'package.json'))) return project;
  }
  return undefined;
}

/**
 * The engine dependency to write, so that the new workshop installs the
 * engine its author just ran:
 * - the project that installed it lists it as `file:` (a tarball or a
 *   folder): the same file, the path rebased from the new folder;
 * - it lists a version range, a tag, or a git or tarball URL, and npm
 *   unpacked the engine there: that, as it means the same from any folder;
 * - otherwise `^<this engine's version>`: a workspace link or `npm link`
 *   (this repository's runner/: its spec names a package only the
 *   workspace provides), a global install, a clone, or a `file:` whose
 *   file is gone.
 */
export function engineSpec(target: string, places: EnginePlaces = { bin: process.argv[1], engine: engineRoot }): EngineSpec {
  const engine = JSON.parse(readFileSync(join(places.engine, 'package.json'), 'utf8')) as { name: string; version: string };
  const byVersion = (reason: string): EngineSpec => ({ spec: `^${engine.version}`, why: `this engine's version; ${reason}` });
  const project = installingProject(places);
  if (!project) return byVersion('it is not installed in a project');
  let pkg: Record<string, Record<string, unknown> | undefined>;
  try {
    pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return byVersion(`${join(project, 'package.json')} cannot be read`);
  }
  const listed = [pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies].map((deps) => deps?.[engine.name]).find((s) => typeof s === 'string');
  if (typeof listed !== 'string') return byVersion(`${join(project, 'package.json')} does not list ${engine.name}`);
  const where = `as ${join(project, 'package.json')} has it`;
  if (listed.startsWith('file:')) {
    const rest = listed.slice('file:'.length);
    const file = rest.startsWith('//') ? fileURLToPath(listed) : resolve(project, rest);
    if (!existsSync(file)) return byVersion(`${listed} is no longer there`);
    const path = relative(target, file).split(sep).join('/');
    // Another drive (Windows) leaves it absolute; a path down from the new folder gets its `./`.
    return { spec: `file:${path.startsWith('.') || isAbsolute(path) ? path : `./${path}`}`, why: `${where}, from the new folder` };
  }
  let linked = false;
  try {
    linked = lstatSync(join(project, 'node_modules', engine.name)).isSymbolicLink();
  } catch {
    // not there as a package of that project: judged by its spec alone
  }
  if (linked || /^(workspace|link|portal|patch):/.test(listed)) return byVersion(`${project} links it, as a workspace or with npm link`);
  return { spec: listed, why: where };
}

/** The template's files, relative to it, as they are named in a workshop. */
function templateFiles(dir = templateDir, prefix = ''): { from: string; to: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const from = join(dir, entry.name);
      const to = join(prefix, storedAs[entry.name] ?? entry.name);
      return entry.isDirectory() ? templateFiles(from, to) : [{ from, to }];
    });
}

/** Refuses a target that is a file, or a folder with anything in it; true if it is an empty folder already. */
function checkTarget(target: string, given: string): boolean {
  let stat;
  try {
    stat = statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') throw new InitRefused(`${given} cannot be a folder: part of its path is a file. Name a folder elsewhere, e.g. workshop init my-workshop.`);
    throw err;
  }
  if (!stat.isDirectory()) throw new InitRefused(`${given} is a file. Name a new folder for the workshop, e.g. workshop init my-workshop.`);
  const entries = readdirSync(target);
  if (entries.length) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    throw new InitRefused(`${given} is not empty (it holds ${shown}), and init writes only into a new or empty folder. Name another, e.g. workshop init ${given.replace(/[\\/]+$/, '')}-2.`);
  }
  return true;
}

/** Writes the workshop; returns the files written, relative to `target`. */
export function writeWorkshop(target: string, engine: EngineSpec): string[] {
  const folder = basename(target);
  const title = titleFor(folder);
  const written: string[] = [];
  for (const { from, to } of templateFiles()) {
    let content: string | Buffer = readFileSync(from);
    if (to === 'package.json') {
      const pkg = JSON.parse(content.toString('utf8')) as { name: string; dependencies: Record<string, string> };
      pkg.name = packageNameFor(folder);
      pkg.dependencies['workshop-runner'] = engine.spec;
      content = `${JSON.stringify(pkg, null, 2)}\n`;
    } else if (titled.has(to)) {
      // JSON text escaped for workshop.json; as is for markdown.
      content = content.toString('utf8').replaceAll('{{title}}', to.endsWith('.json') ? JSON.stringify(title).slice(1, -1) : title);
    }
    mkdirSync(dirname(join(target, to)), { recursive: true });
    writeFileSync(join(target, to), content, { flag: 'wx' });
    written.push(to);
  }
  return written.sort();
}

// Short when under the current folder, absolute otherwise.
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, usage);
  if (positionals.length !== 1 || !positionals[0]) {
    console.error(`${positionals.length ? `Name one folder (got ${positionals.join(' ')}).` : 'Name the folder to write the new workshop in.'}\n${usage}`);
    return 2;
  }
  const given = positionals[0];
  const target = resolve(given);
  // What to remove if writing fails: the first folder this run created (the
  // target or a missing parent), or, for an empty folder that was there, what went into it.
  let created: string | undefined;
  let existed = false;
  try {
    existed = checkTarget(target, given);
    const engine = engineSpec(target);
    created = existed ? undefined : mkdirSync(target, { recursive: true });
    const written = writeWorkshop(target, engine);
    console.log(`Wrote a new workshop in ${shown(target)}:`);
    for (const file of written) console.log(`  ${file}`);
    console.log(`Its engine: workshop-runner ${engine.spec} (${engine.why}).`);
    console.log(pc.green('Next:'));
    const cd = relative(process.cwd(), target);
    if (cd) console.log(`  cd ${/\s/.test(cd) ? JSON.stringify(cd) : cd}`);
    console.log('  npm install && npm run workshop');
    return 0;
  } catch (err) {
    if (created) rmSync(created, { recursive: true, force: true });
    else if (existed) for (const entry of safeList(target)) rmSync(join(target, entry), { recursive: true, force: true });
    if (err instanceof InitRefused) {
      console.error(err.message);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code && Object.hasOwn(placeErrors, code)) {
      console.error(`Cannot write the workshop in ${given} (${code}): ${placeErrors[code]}`);
      return 2;
    }
    throw err;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
