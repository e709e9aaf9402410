// The one plain-JavaScript file of the runner: what `npm run workshop`,
// `verify` and `solution` start. It runs runner/cli.ts from a build made
// once and made again only when a source file changed, instead of compiling
// TypeScript at every start (tsx cost ~300 ms of every command on a 2-core
// laptop). The build is esbuild's bundle of runner/cli.ts and of the
// workshop's checks modules (named in its workshop.json), split into chunks
// they share, node_modules left out, kept in node_modules/.cache/workshop-build/
// (so `npm install` stays the only set-up step, and a fresh install starts
// from scratch). `node runner/launch.js --build` only builds.
//
// `--workshop DIR` (anywhere in the arguments) serves the workshop in DIR
// instead of this repository's: the launcher passes it on as WORKSHOP_DIR.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const entry = 'runner/cli.ts';

/** `--workshop DIR` taken out of the arguments (the CLI never sees it), else WORKSHOP_DIR, else this repository. */
function workshopDir() {
  const args = process.argv;
  const at = args.findIndex((a) => a === '--workshop' || a.startsWith('--workshop='));
  if (at < 0) return resolve(process.env.WORKSHOP_DIR || root);
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

// One cache per checkout and workshop: copies of the repository may share node_modules.
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
  return { main: join(cacheDir, manifest.dir, manifest.main), modules: absolute(manifest.dir, manifest.modules) };
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
const importMetaOfSource = {
  name: 'import-meta-of-source',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const values = { dirname: dirname(args.path), filename: args.path, url: pathToFileURL(args.path).href };
      const header = Object.entries(metaNames).map(([k, name]) => `const ${name} = ${JSON.stringify(values[k])};`).join(' ');
      return { contents: `${header}\n${readFileSync(args.path, 'utf8')}`, loader: 'ts' };
    });
  },
};

async function build() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new Error(`The workshop runner cannot be built: esbuild is missing (${err.message}). Run \`npm install\` in ${root}.`);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Built aside and named in the manifest in one rename: a process starting
  // meanwhile sees the old build or the new one, whole.
  const dir = `build-${Date.now()}-${process.pid}`;
  const modules = checksModules();
  const result = await esbuild.build({
    absWorkingDir: root,
    // The checks modules are entry points of the same build: they share the
    // engine's chunks with the CLI, so its classes are theirs.
    entryPoints: [entry, ...modules],
    outdir: join(cacheDir, dir),
    outbase: root,
    // Names from content (another workshop's folder may be anywhere): hashed, never outside outdir.
    entryNames: '[dir]/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    plugins: [importMetaOfSource],
    define: Object.fromEntries(Object.entries(metaNames).map(([k, name]) => [`import.meta.${k}`, name])),
  });
  const inputs = {};
  // The launcher and workshop.json too: a change to how we build, or to what, is a change to the build.
  for (const file of [...Object.keys(result.metafile.inputs), 'runner/launch.js', relative(root, workshopFile)]) {
    try {
      inputs[file] = statSync(resolve(root, file)).mtimeMs;
    } catch {
      inputs[file] = -1; // no workshop.json: built again once there is one
    }
  }
  // Which output each entry point became.
  const outputs = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint) outputs[resolve(root, meta.entryPoint)] = relative(join(cacheDir, dir), resolve(root, out));
  }
  const main = outputs[resolve(root, entry)];
  const moduleOutputs = Object.fromEntries(modules.map((m) => [relative(root, m), outputs[m]]));
  const manifest = { node: process.versions.node, dir, main, modules: moduleOutputs, inputs };
  const tmp = `${manifestFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, manifestFile);
  removeOldBuilds(dir);
  return { main: join(cacheDir, dir, main), modules: absolute(dir, moduleOutputs) };
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

const buildOnly = process.argv[2] === '--build';
let built = buildOnly ? undefined : currentBuild();
try {
  built ??= await build();
} catch (err) {
  // esbuild's own errors list each problem with its file and line.
  const details = err.errors?.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n');
  console.error(details ? `The workshop runner cannot be built:\n${details}` : err.message);
  process.exit(1);
}
if (!buildOnly) {
  // Where each checks module was built (see checks/step-checks.ts).
  globalThis.__workshopBuiltModules = built.modules;
  await import(pathToFileURL(built.main).href);
}
