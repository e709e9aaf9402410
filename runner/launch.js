#!/usr/bin/env -S node --max-semi-space-size=1
// The `workshop` command (the package's bin), and the one plain-JavaScript
// file of the engine. The shebang's flag gives the long-running runner a
// 1 MB young generation (about 20 MB less RSS with every deck loaded).
//
// It runs cli.ts from a build made once and made again only when a source
// file changed, instead of compiling TypeScript at every start (tsx cost
// ~300 ms of every command on a 2-core laptop). The build is esbuild's
// bundle of cli.ts and of the workshop's checks modules (named in its
// workshop.json), split into chunks they share, packages left out, kept in
// the engine's node_modules/.cache/workshop-build/ (so `npm install` stays
// the only set-up step, and a fresh install starts from scratch). A checks
// module's `import … from 'workshop-runner'` is bundled as the engine's own
// authoring.ts: one copy of the engine, so `fail`'s errors are the ones the
// runner catches. `workshop --build` only builds.
//
// The workshop served is the one `--workshop DIR` (anywhere in the
// arguments) names, else WORKSHOP_DIR, else the nearest folder from here up
// that holds a workshop.json; the launcher passes it on as WORKSHOP_DIR.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The engine's own folder: this package. */
const root = import.meta.dirname;
const entry = 'cli.ts';
const engineName = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name;

/** The nearest folder from `dir` up that holds a workshop.json, or `dir` itself (the CLI says what is missing). */
function nearestWorkshop(dir) {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'workshop.json'))) return at;
    if (dirname(at) === at) return dir;
  }
}

/** `--workshop DIR` taken out of the arguments (the CLI never sees it), else WORKSHOP_DIR, else the nearest workshop. */
function workshopDir() {
  const args = process.argv;
  const at = args.findIndex((a) => a === '--workshop' || a.startsWith('--workshop='));
  if (at < 0) return resolve(process.env.WORKSHOP_DIR || nearestWorkshop(process.cwd()));
  const value = args[at].includes('=') ? args[at].slice('--workshop='.length) : args[at + 1];
  if (!value || value.startsWith('-')) {
    console.error('--workshop takes a folder: the one that holds the workshop.json, e.g. --workshop ../my-workshop');
    process.exit(2);
  }
  args.splice(at, args[at].includes('=') ? 1 : 2);
  return resolve(value);
}

const workshop = workshopDir();
process.env.WORKSHOP_DIR = workshop;

/** The checks modules the workshop names (absolute); a broken workshop.json is the CLI's to explain. */
function checksModules() {
  try {
    const description = JSON.parse(readFileSync(join(workshop, 'workshop.json'), 'utf8'));
    return (description.steps ?? []).map((s) => s && typeof s.checks === 'string' && resolve(workshop, s.checks)).filter(Boolean);
  } catch {
    return [];
  }
}

// One cache per engine and workshop: several workshops may share one engine.
const cacheDir = join(root, 'node_modules', '.cache', 'workshop-build', createHash('sha1').update(`${root}\0${workshop}`).digest('hex').slice(0, 10));
const manifestFile = join(cacheDir, 'manifest.json');
const workshopFile = join(workshop, 'workshop.json');

/** The build in the manifest, if every source it was made from is unchanged. */
function currentBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.node !== process.versions.node) return undefined;
  for (const [file, mtimeMs] of Object.entries(manifest.inputs)) {
    let now = -1; // -1: the file did not exist (a workshop.json still to be written)
    try {
      now = statSync(resolve(root, file)).mtimeMs;
    } catch {
      // missing now
    }
    if (now !== mtimeMs) return undefined;
  }
  return { main: join(cacheDir, manifest.dir, manifest.main), modules: absolute(manifest.dir, manifest.modules), broken: absoluteKeys(manifest.broken) };
}

/** The manifest's broken modules (source, relative → errors), by absolute source. */
function absoluteKeys(broken = {}) {
  return Object.fromEntries(Object.entries(broken).map(([source, errors]) => [resolve(root, source), errors]));
}

/** The manifest's module map (source → output, relative) made absolute. */
function absolute(dir, modules = {}) {
  return Object.fromEntries(Object.entries(modules).map(([source, out]) => [resolve(root, source), join(cacheDir, dir, out)]));
}

/**
 * Each source file sees its own folder in `import.meta.dirname` (and
 * filename, url), as it does when run from source: the bundle's chunks live
 * elsewhere, and the runner finds its files from there. `define` replaces
 * the expressions (never text inside strings) with constants each file gets.
 */
const metaNames = { dirname: '__source_dirname', filename: '__source_filename', url: '__source_url' };
const metaHeader = (values) => Object.entries(metaNames).map(([k, name]) => `const ${name} = ${JSON.stringify(values[k])};`).join(' ');
const importMetaOfSource = {
  name: 'import-meta-of-source',
  setup(build) {
    // The engine by its package name, from a workshop's checks modules: its own source, bundled with the CLI.
    const authoring = join(root, 'authoring.ts');
    build.onResolve({ filter: new RegExp(`^${engineName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }, () => ({ path: authoring }));
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const values = { dirname: dirname(args.path), filename: args.path, url: pathToFileURL(args.path).href };
      const source = readFileSync(args.path, 'utf8');
      // On the file's first line (in place of a shebang), so esbuild's errors and the source maps keep its line numbers.
      const rest = source.startsWith('#!') ? source.slice(source.indexOf('\n') + 1 || source.length) : source;
      const eol = rest === source ? ' ' : '\n';
      return { contents: `${metaHeader(values)}${eol}${rest}`, loader: 'ts' };
    });
  },
};

/** esbuild's options for the runner's build, less its entry points. */
function options(outdir) {
  return {
    absWorkingDir: root,
    outdir,
    outbase: root,
    // Names from content (another workshop's folder may be anywhere): hashed, never outside outdir.
    entryNames: '[dir]/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    // Where a check threw, in its source's lines (verify/check.ts reads the maps when one does;
    // NODE_OPTIONS=--enable-source-maps maps every stack trace, at ~20 ms a start).
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [importMetaOfSource],
    define: Object.fromEntries(Object.entries(metaNames).map(([k, name]) => [`import.meta.${k}`, name])),
  };
}

/** An esbuild message as an author reads it: { file: 'checks/api.ts', line: 12, column: 5, text: 'Expected ";" but found "x"' }. */
function located(message) {
  const at = message.location;
  if (!at) return { text: message.text };
  // The first line of a file carries the import.meta header (see importMetaOfSource): columns as in the file.
  const file = resolve(root, at.file);
  const header = at.line === 1 ? metaHeader({ dirname: dirname(file), filename: file, url: pathToFileURL(file).href }).length + 1 : 0;
  return { file: shown(at.file), line: at.line, column: Math.max(0, at.column - header) + 1, text: message.text };
}

/**
 * The checks modules that do not build on their own (each bundled alone,
 * nothing written): source → { errors (located), files (to watch: fixing
 * or creating one of them builds again) }.
 */
async function brokenModules(esbuild, modules) {
  const broken = {};
  await Promise.all(
    modules.map(async (m) => {
      try {
        await esbuild.build({ ...options(undefined), entryPoints: [m], outdir: undefined, splitting: false, sourcemap: false, metafile: false, write: false });
      } catch (err) {
        const errors = err.errors ?? [{ text: err.message }];
        const files = [m, ...errors.flatMap((e) => (e.location ? [resolve(root, e.location.file)] : []))];
        broken[m] = { errors: errors.map(located), files: [...new Set(files)] };
      }
    }),
  );
  return broken;
}

async function build() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new Error(`The workshop runner cannot be built: esbuild is missing (${err.message}). Run \`npm install\` in ${workshop}.`);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Built aside and named in the manifest in one rename: a process starting
  // meanwhile sees the old build or the new one, whole.
  const dir = `build-${Date.now()}-${process.pid}`;
  const outdir = join(cacheDir, dir);
  const modules = checksModules();
  // A checks module that is missing, or does not compile, breaks the
  // commands that load it (step-checks.ts says why, with its file and
  // line), not the others: it is left out of the build, recorded as broken.
  const broken = {};
  for (const m of modules) {
    if (!existsSync(m)) broken[m] = { errors: [{ text: `there is no file ${m}` }], files: [m] };
  }
  // The checks modules are entry points of the same build: they share the
  // engine's chunks with the CLI, so its classes are theirs.
  const buildWithout = (left) => esbuild.build({ ...options(outdir), entryPoints: [entry, ...modules.filter((m) => !left[m])] });
  let result;
  try {
    result = await buildWithout(broken);
  } catch (err) {
    const found = await brokenModules(esbuild, modules.filter((m) => !broken[m]));
    // None broken on its own: the engine's own error (reported as it is).
    if (!Object.keys(found).length) throw err;
    Object.assign(broken, found);
    rmSync(outdir, { recursive: true, force: true });
    result = await buildWithout(broken);
  }
  const inputs = {};
  // The launcher and workshop.json too: a change to how we build, or to what,
  // is a change to the build. For a broken module, its files and their
  // folders (a missing file created there).
  const brokenFiles = Object.values(broken).flatMap((b) => b.files.flatMap((f) => [f, dirname(f)]));
  for (const file of [...Object.keys(result.metafile.inputs), 'launch.js', relative(root, workshopFile), ...brokenFiles.map((f) => relative(root, f))]) {
    try {
      inputs[file] = statSync(resolve(root, file)).mtimeMs;
    } catch {
      inputs[file] = -1; // no workshop.json: built again once there is one
    }
  }
  // Which output each entry point became.
  const outputs = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint) outputs[resolve(root, meta.entryPoint)] = relative(outdir, resolve(root, out));
  }
  const main = outputs[resolve(root, entry)];
  const built = modules.filter((m) => !broken[m]);
  const moduleOutputs = Object.fromEntries(built.map((m) => [relative(root, m), outputs[m]]));
  const brokenErrors = Object.fromEntries(Object.entries(broken).map(([m, b]) => [relative(root, m), b.errors]));
  const manifest = { node: process.versions.node, dir, main, modules: moduleOutputs, broken: brokenErrors, inputs };
  const tmp = `${manifestFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, manifestFile);
  removeOldBuilds(dir);
  return { main: join(outdir, main), modules: absolute(dir, moduleOutputs), broken: absoluteKeys(brokenErrors) };
}

/** Builds replaced a day ago or more: a runner started from one has loaded what it needs by then. */
function removeOldBuilds(keep) {
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('build-') || name === keep) continue;
    const path = join(cacheDir, name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}

/** A file esbuild names (relative to the engine) as the author sees it: relative to the workshop, or absolute. */
function shown(file) {
  const path = relative(workshop, resolve(root, file));
  return path.startsWith('..') ? resolve(root, file) : path;
}

const buildOnly = process.argv[2] === '--build';
let built = buildOnly ? undefined : currentBuild();
try {
  built ??= await build();
} catch (err) {
  // esbuild's own errors list each problem with its file and line.
  const details = err.errors?.map((e) => `  ${e.location ? `${shown(e.location.file)}:${e.location.line}: ` : ''}${e.text}`).join('\n');
  console.error(details ? `The workshop runner cannot be built:\n${details}` : err.message);
  process.exit(1);
}
if (!buildOnly) {
  // Where each checks module was built, and why one could not be (see verify/step-checks.ts).
  globalThis.__workshopBuiltModules = built.modules;
  globalThis.__workshopBrokenModules = built.broken;
  await import(pathToFileURL(built.main).href);
}
