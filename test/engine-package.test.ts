// The engine as an author meets it: runner/ packed with `npm pack` (as
// `npm publish` would pack it), installed from the tarball into a folder
// outside this repository, `npx workshop init` there, the new workshop's own
// `npm install`, and then everything through the workshop's INSTALLED bin:
// verify, lint, export, `npm test` (check-content and tsc against the
// engine's shipped TypeScript), and the workshop's page. Installs use npm's
// cache only (`--prefer-offline`; CI's `npm ci` fills it first).
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild } from '../runner/process/child.ts';
import { repoRoot } from './helpers/repo.ts';
import { runnerFetch } from './helpers/runner-http.ts';

const runnerDir = join(repoRoot, 'runner');
const installTimeout = 180_000;

/**
 * The environment of an author's shell: npm's settings (its cache, its
 * registry) kept, but not what `npm test` tells its scripts about this
 * repository, nor a workshop this process was pointed at.
 */
function authorEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env)) {
    // INIT_CWD: where `npm run` was typed, which `verify --dir` resolves against.
    const npmScripts = key === 'INIT_CWD' || (key.startsWith('npm_') && (!key.startsWith('npm_config_') || key === 'npm_config_local_prefix'));
    // WORKSHOP_TEST_*: the suite's marks on every process it starts (see global-setup.ts).
    const workshopChoice = key.startsWith('WORKSHOP_') && !key.startsWith('WORKSHOP_TEST_');
    if (npmScripts || workshopChoice) delete env[key];
  }
  return env;
}

const run = (file: string, args: string[], cwd: string) => execa(file, args, { cwd, reject: false, extendEnv: false, env: authorEnv(), all: true });
const install = (cwd: string, ...args: string[]) => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], cwd);

/** Every file under `dir`, relative and with `/`, skipping node_modules and dotfiles (editors' swap files). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name.startsWith('.')) return [];
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(join(dir, e.name), rel) : [rel];
  });
}

let tmp = '';
/** What `npm pack` reported: the tarball's name and its files. */
let packed: { filename: string; files: { path: string }[] };
/** The author's folder, where the tarball is installed. */
let author = '';
/** The workshop `init` wrote, two levels away from the author's folder. */
let workshop = '';
let initOutput = '';
const bin = () => join(workshop, 'node_modules', '.bin', 'workshop');
const cli = (args: string[]) => run(bin(), args, workshop);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'engine-package-'));
  const packDir = join(tmp, 'pack');
  await mkdir(packDir);
  // In runner/, as a publisher runs it: npm then packs it as the root's workspace.
  const pack = await run('npm', ['pack', '--json', '--pack-destination', packDir], runnerDir);
  expect(pack.exitCode, pack.all).toBe(0);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;

  author = join(tmp, 'author');
  await mkdir(author);
  await writeFile(join(author, 'package.json'), JSON.stringify({ name: 'author', private: true }));
  const engine = await install(author, join(packDir, packed.filename));
  expect(engine.exitCode, engine.all).toBe(0);

  workshop = join(tmp, 'workshops', 'my-workshop');
  const init = await run('npx', ['--no', 'workshop', 'init', relative(author, workshop)], author);
  initOutput = init.all;
  expect(init.exitCode, initOutput).toBe(0);
  const deps = await install(workshop);
  expect(deps.exitCode, deps.all).toBe(0);
}, installTimeout);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('npm pack of runner/', () => {
  it('ships every file of the engine, the template included, and no test or build cache', () => {
    const paths = packed.files.map((f) => f.path);
    for (const file of filesUnder(runnerDir)) expect(paths, `${file} is not in the package`).toContain(file);
    expect(paths).toContain('template/gitignore');
    expect(paths.filter((p) => /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$|node_modules|\.cache/.test(p))).toEqual([]);
  });
});

describe('workshop init, from the installed engine', () => {
  it('writes a workshop package that installs the same engine, and says what to do next', async () => {
    const pkg = JSON.parse(await readFile(join(workshop, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.name).toBe('my-workshop');
    // The tarball the author installed, named from the new folder.
    expect(pkg.dependencies).toEqual({ express: '^5.3.0', 'workshop-runner': `file:../../pack/${packed.filename}` });
    // The same ranges as this repository's own workshop.
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.devDependencies).toEqual({ '@types/node': root.devDependencies!['@types/node'], typescript: root.devDependencies!.typescript });
    expect(pkg.dependencies!.express).toBe(root.dependencies!.express);
    expect(pkg.scripts).toEqual({ workshop: 'workshop', verify: 'workshop verify', solution: 'workshop solution', test: 'workshop check-content && tsc --noEmit' });

    expect(filesUnder(workshop).filter((f) => !f.startsWith('workspace/')).sort()).toEqual([
      'README.md',
      'checks/hello.ts',
      'fixtures/hello-ignores-name/app.js',
      'fixtures/hello-ignores-name/package.json',
      'fixtures/hello-ignores-name/verdict.json',
      'package-lock.json',
      'package.json',
      'slides/hello.md',
      'steps/hello/app.js',
      'steps/hello/package.json',
      'steps/start/app.js',
      'steps/start/package.json',
      'tsconfig.json',
      'workshop.json',
    ]);
    expect(await readFile(join(workshop, '.gitignore'), 'utf8')).toMatch(/^\/workspace\/$[\s\S]*^\/\.workshop\/$[\s\S]*^node_modules\/$/m);
    expect(JSON.parse(await readFile(join(workshop, 'workshop.json'), 'utf8'))).toMatchObject({ title: 'My workshop' });
    expect(await readFile(join(workshop, 'README.md'), 'utf8')).toContain('npm install && npm run workshop');

    expect(initOutput).toContain('Wrote a new workshop in');
    expect(initOutput).toContain('  checks/hello.ts');
    expect(initOutput).toContain(`Its engine: workshop-runner file:../../pack/${packed.filename} (as ${join(author, 'package.json')} has it, from the new folder).`);
    expect(initOutput.trim().split('\n').slice(-2)).toEqual([`  cd ${relative(author, workshop)}`, '  npm install && npm run workshop']);
  });

  it('refuses no folder, a folder with files, and a place it cannot write, in one sentence, leaving nothing behind', async () => {
    const none = await cli(['init']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr.split('\n')[0]).toBe('Name the folder to write the new workshop in.');

    const before = filesUnder(workshop).sort();
    const full = await run(bin(), ['init', 'my-workshop'], join(tmp, 'workshops'));
    expect(full.exitCode).toBe(2);
    expect(full.stderr.trim()).toMatch(/^my-workshop is not empty \(it holds .*\), and init writes only into a new or empty folder\. Name another, e\.g\. workshop init my-workshop-2\.$/);
    expect(filesUnder(workshop).sort()).toEqual(before);

    // A file-size limit makes the first file fail after the folders were made: they go too.
    // (Run in the workshop, whose build the launcher already made: building writes files too.)
    const place = join(tmp, 'new', 'deep', 'place');
    const limited = await run('sh', ['-c', `ulimit -f 1; exec "${bin()}" init "${place}"`], workshop);
    expect(limited.stderr.trim()).toMatch(/^Cannot write the workshop in \S+ \(EFBIG\): [^\n]+\.$/);
    expect(limited.stderr).toContain(place);
    expect(limited.exitCode).toBe(2);
    expect(existsSync(join(tmp, 'new'))).toBe(false);
  });
});

describe("the new workshop, through its installed bin", () => {
  it('verify: the solution passes; the start app fails, naming the check', async () => {
    const solution = await cli(['verify', 'hello', '--dir', 'steps/hello']);
    expect(solution.stdout.trim().split('\n').at(-1), solution.all).toBe('2 passed, 0 failed');
    expect(solution.exitCode).toBe(0);

    const start = await cli(['verify', 'hello', '--dir', 'steps/start']);
    expect(start.exitCode, start.all).toBe(1);
    expect(start.stdout).toContain('✖ GET / answers a page whose <h1> says hello  hello.page');
    expect(start.stdout).toContain('Slide: slides/hello.md, slide 2: app.js: Say hello');
  }, 60_000);

  it('lint and export: the deck is clean and becomes HTML', async () => {
    const lint = await cli(['lint']);
    expect(lint.exitCode, lint.all).toBe(0);
    const out = join(tmp, 'slides-html');
    const exported = await cli(['export', out]);
    expect(exported.exitCode, exported.all).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['hello.html', 'index.html']);
    expect(await readFile(join(out, 'hello.html'), 'utf8')).toContain('A page that says hello');
  }, 60_000);

  it('npm test: check-content passes as written, and tsc type-checks the checks against the engine', async () => {
    const test = await run('npm', ['test'], workshop);
    expect(test.stdout, test.all).toContain('✔ fixtures/hello-ignores-name as hello');
    expect(test.stdout).toContain('3 apps checked, 0 lint problems: all as expected.');
    expect(test.exitCode, test.all).toBe(0);
  }, 120_000);

  it("serves the workshop's page: its title, and its deck", async () => {
    let announce: (url: string) => void = () => {};
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const runner = startChild(bin(), ['--port', '0', '--no-open'], {
      cwd: workshop,
      env: authorEnv(),
      onLine: (line) => {
        const m = /The workshop is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
        if (m) announce(m[1]!);
      },
    });
    try {
      let timer: NodeJS.Timeout | undefined;
      const link = await Promise.race([
        announced,
        runner.exited.then((e) => Promise.reject(new Error(`the runner exited (${JSON.stringify(e)}):\n${runner.log.join('\n')}`))),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the runner did not start:\n${runner.log.join('\n')}`)), 30_000))),
      ]).finally(() => clearTimeout(timer));
      expect(await (await runnerFetch(link, '')).text()).toContain('<title>My workshop</title>');
      const deck = (await (await runnerFetch(link, 'api/decks/hello')).json()) as { slides: { title: string; html: string }[]; problems: unknown[] };
      expect(deck.problems).toEqual([]);
      expect(deck.slides.map((s) => s.title)).toEqual(['A page that says hello', 'app.js: Say hello', 'app.js: Greet by name', 'Your turn']);
      expect(deck.slides[1]!.html).toContain('data-src="steps/hello/app.js"');
    } finally {
      await runner.stop(8000);
    }
  }, 60_000);
});

describe('workshop init, from this repository', () => {
  it("writes ^<version> for the engine the workspace links, whose spec means nothing elsewhere", async () => {
    const dir = join(tmp, 'from-repo');
    const r = await run(join(repoRoot, 'node_modules', '.bin', 'workshop'), ['init', dir], repoRoot);
    expect(r.exitCode, r.all).toBe(0);
    const version = (JSON.parse(await readFile(join(runnerDir, 'package.json'), 'utf8')) as { version: string }).version;
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    expect(pkg.name).toBe('from-repo');
    expect(pkg.dependencies['workshop-runner']).toBe(`^${version}`);
    expect(r.stdout).toContain(`Its engine: workshop-runner ^${version} (this engine's version; ${repoRoot} links it, as a workspace or with npm link).`);
  }, 60_000);
});
