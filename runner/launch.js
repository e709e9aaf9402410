// The one plain-JavaScript file of the runner: what `npm run workshop`,
// `verify` and `solution` start. It runs runner/cli.ts from a build made
// once and made again only when a source file changed, instead of compiling
// TypeScript at every start (tsx cost ~300 ms of every command on a 2-core
// laptop). The build is esbuild's bundle of runner/cli.ts, split into
// chunks, node_modules left out, kept in node_modules/.cache/workshop-build/
// (so `npm install` stays the only set-up step, and a fresh install starts
// from scratch). `node runner/launch.js --build` only builds.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const entry = 'runner/cli.ts';
// One cache per checkout: copies of the repository may share node_modules.
const cacheDir = join(root, 'node_modules', '.cache', 'workshop-build', createHash('sha1').update(root).digest('hex').slice(0, 10));
const manifestFile = join(cacheDir, 'manifest.json');

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
    try {
      if (statSync(join(root, file)).mtimeMs !== mtimeMs) return undefined;
    } catch {
      return undefined;
    }
  }
  return join(cacheDir, manifest.dir, manifest.main);
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
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outdir: join(cacheDir, dir),
    outbase: root,
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
  // The launcher itself too: a change to how we build is a change to the build.
  for (const file of [...Object.keys(result.metafile.inputs), 'runner/launch.js']) inputs[file] = statSync(join(root, file)).mtimeMs;
  const manifest = { node: process.versions.node, dir, main: entry.replace(/\.ts$/, '.js'), inputs };
  const tmp = `${manifestFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, manifestFile);
  removeOldBuilds(dir);
  return join(cacheDir, dir, manifest.main);
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
let main = buildOnly ? undefined : currentBuild();
try {
  main ??= await build();
} catch (err) {
  // esbuild's own errors list each problem with its file and line.
  const details = err.errors?.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n');
  console.error(details ? `The workshop runner cannot be built:\n${details}` : err.message);
  process.exit(1);
}
if (!buildOnly) await import(pathToFileURL(main).href);
