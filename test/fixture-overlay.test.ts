// Overlay fixtures (runner/verify/fixture.ts): a fixture whose verdict.json
// names a "base" holds only the files that differ from it. check-content and
// `verify --dir` run it as base + overlay in a temporary folder, name it by
// its own folder, and remove the folder afterwards, whatever the app did.
// On a copy of the greetings workshop (test/fixtures/workshops/greetings),
// whose fixtures/api-redirects-elsewhere is an overlay of steps/api that
// changes one line of app.js; and pure reading of verdict.json files.
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FixtureError, overlayApp, readFixture } from '../runner/verify/fixture.ts';
import { greetingsCopy, workshopIn } from './helpers/greetings.ts';
import { repoRoot } from './helpers/repo.ts';

let greetings = '';
let disposeGreetings: (() => Promise<void>) | undefined;
/** The temporary folder (TMPDIR) of the commands run here: where their overlays' copies are made. */
let temp = '';
beforeAll(async () => {
  ({ root: greetings, dispose: disposeGreetings } = await greetingsCopy('greetings-overlay-'));
  temp = await mkdtemp(join(tmpdir(), 'overlay-tmpdir-'));
});
afterAll(async () => {
  await disposeGreetings?.();
  await rm(temp, { recursive: true, force: true });
});

const cli = (args: string[]) => workshopIn(greetings, args, { TMPDIR: temp });
/** The overlays' copies still in the commands' temporary folder. */
const copiesLeft = () => readdirSync(temp).filter((name) => name.startsWith('workshop-fixture-'));
const overlayLine = /^An overlay: steps\/api with this folder's files over it(?:, less [^,]+)?, copied to (.+)\.$/m;

/** A fixture of the copy, written for one test and removed after it. */
const added: string[] = [];
async function fixture(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(greetings, 'fixtures', name);
  added.push(dir);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}
afterEach(async () => {
  for (const dir of added.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** steps/api's app.js with `edit` applied (its `from` there once). */
async function apiAppWith(from: string, to: string): Promise<string> {
  const text = await readFile(join(greetings, 'steps', 'api', 'app.js'), 'utf8');
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

describe('an overlay fixture, run as its base with its files over it', () => {
  it('gets the verdict of the one file it changes, in check-content and in verify --dir', async () => {
    const overlay = join(greetings, 'fixtures', 'api-redirects-elsewhere');
    // Only app.js (and the verdict): the package.json is the base's.
    expect(readdirSync(overlay).sort()).toEqual(['app.js', 'verdict.json']);

    const content = await cli(['check-content']);
    expect(content.stdout).toContain('✔ fixtures/api-redirects-elsewhere as api');
    expect(content.stdout.trim().split('\n').at(-1)).toBe('6 apps checked, 0 lint problems: all as expected.');
    expect(content.exitCode).toBe(0);

    const json = await cli(['verify', 'api', '--dir', overlay, '--json']);
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout) as { dir: string; checks: { id: string; status: string; message: string }[] };
    // Named by its own folder, not by the copy that is gone.
    expect(report.dir).toBe(overlay);
    expect(report.checks.map((c) => `${c.id} ${c.status}`)).toEqual(['page.hello passed', 'api.get passed', 'api.post passed', 'api.form failed']);
    expect(report.checks.at(-1)?.message).toBe('POST /name redirects to /welcome, not to /.');

    // Without its base, the same folder is no app at all.
    await writeFile(join(overlay, 'verdict.json'), '{ "step": "api", "fails": ["api.form"] }');
    try {
      const alone = await cli(['verify', 'api', '--dir', overlay]);
      expect(alone.exitCode).toBe(2);
      expect(alone.stderr.trim()).toBe(`${join(overlay, 'package.json')} does not exist: an app folder needs a package.json.`);
    } finally {
      await cp(join(repoRoot, 'test', 'fixtures', 'workshops', 'greetings', 'fixtures', 'api-redirects-elsewhere', 'verdict.json'), join(overlay, 'verdict.json'));
    }
    expect(copiesLeft()).toEqual([]);
  }, 90_000);

  it("verify --dir says in one dim line that it checks base + overlay, and removes the copy after", async () => {
    const overlay = join(greetings, 'fixtures', 'api-redirects-elsewhere');
    const r = await cli(['verify', 'api', '--dir', overlay]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain(`checking ${overlay}`);
    const copy = overlayLine.exec(lines[1] ?? '')?.[1];
    expect(copy, `no overlay line in:\n${r.stdout}`).toBeDefined();
    expect(copy!.startsWith(join(temp, 'workshop-fixture-'))).toBe(true);
    expect(existsSync(copy!), `${copy} is still there`).toBe(false);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('3 passed, 1 failed');
    expect(copiesLeft()).toEqual([]);

    // --watch would watch a copy the author never edits: refused, in one sentence.
    const watch = await cli(['verify', 'api', '--dir', overlay, '--watch']);
    expect(watch.exitCode).toBe(2);
    expect(watch.stderr.trim()).toBe(`--watch does not follow an overlay fixture: ${overlay} holds only the files that differ from steps/api. Run it without --watch.`);
  }, 60_000);

  it('a base that is not there: one sentence naming the fixture and the base, from check-content and verify', async () => {
    const dir = await fixture('api-lost-base', { 'app.js': 'x', 'verdict.json': '{ "step": "api", "base": "steps/gone", "fails": [] }' });
    const sentence = 'In fixtures/api-lost-base/verdict.json, "base" names steps/gone, which does not exist.';
    const content = await cli(['check-content']);
    expect(content.exitCode).toBe(1);
    expect(content.stdout.split('\n').filter((l) => l.includes('api-lost-base'))).toEqual([`✖ fixtures/api-lost-base: ${sentence}`]);
    expect(content.stdout.trim().split('\n').at(-1)).toBe('7 apps checked, 0 lint problems: 1 wrong.');

    const verify = await cli(['verify', 'api', '--dir', dir]);
    expect(verify.exitCode).toBe(2);
    expect(verify.stderr.trim()).toBe(sentence);
    expect(verify.stdout).toBe('');
  }, 90_000);

  it('removes the copy when the app crashes, and when the author presses Ctrl-C', async () => {
    await fixture('api-crashes', {
      'app.js': await apiAppWith("const app = express();", "throw new Error('the app crashed at start');\nconst app = express();"),
      'verdict.json': '{ "step": "api", "base": "steps/api", "fails": ["page.hello"], "skips": ["api.get", "api.post", "api.form"], "hint": "read its error" }',
    });
    const content = await cli(['check-content']);
    expect(content.stdout).toContain('✔ fixtures/api-crashes as api');
    expect(content.exitCode).toBe(0);
    expect(copiesLeft()).toEqual([]);

    const crashes = await cli(['verify', 'api', '--dir', join(greetings, 'fixtures', 'api-crashes')]);
    expect(crashes.stdout).toContain('the app crashed at start');
    expect(existsSync(overlayLine.exec(crashes.stdout)?.[1] ?? 'no overlay line')).toBe(false);
    expect(crashes.exitCode).toBe(1);
    expect(copiesLeft()).toEqual([]);

    // An app that never listens: the run waits for it, and Ctrl-C stops it.
    const hangs = await fixture('api-hangs', {
      'app.js': await apiAppWith('app.listen(Number(process.env.PORT) || 3000);', 'setInterval(() => {}, 1000);'),
      'verdict.json': '{ "step": "api", "base": "steps/api", "fails": ["page.hello"] }',
    });
    const run = execa(join(greetings, 'node_modules', '.bin', 'workshop'), ['verify', 'api', '--dir', hangs, '--timeout', '30000'], {
      cwd: greetings,
      reject: false,
      env: { NO_COLOR: '1', TMPDIR: temp },
    });
    let out = '';
    const copy = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no overlay line within 30 s:\n${out}`)), 30_000);
      run.stdout?.on('data', (d: Buffer) => {
        out += d;
        const m = overlayLine.exec(out);
        if (m) (clearTimeout(timer), resolve(m[1]!));
      });
    });
    expect(existsSync(join(copy, 'app.js')), 'the copy is there during the run').toBe(true);
    await new Promise((r) => setTimeout(r, 1000)); // the app is started
    run.kill('SIGINT');
    const ended = await run;
    expect(ended.exitCode).toBe(130);
    expect(existsSync(copy), `${copy} is still there after Ctrl-C`).toBe(false);
    expect(copiesLeft()).toEqual([]);
  }, 120_000);

  it("never treats the learner's workspace as an overlay", async () => {
    const workspace = join(greetings, 'workspace');
    await cp(join(greetings, 'fixtures', 'api-redirects-elsewhere'), workspace, { recursive: true });
    try {
      for (const args of [['verify', 'api'], ['verify', 'api', '--dir', workspace]]) {
        const r = await cli(args);
        expect(r.exitCode, args.join(' ')).toBe(2);
        expect(r.stderr.trim()).toBe(`${join(workspace, 'package.json')} does not exist: an app folder needs a package.json.`);
      }
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('reading a verdict.json and making base + overlay (runner/verify/fixture.ts)', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'overlay-units-'));
    await mkdir(join(root, 'steps', 'one', 'lib'), { recursive: true });
    await mkdir(join(root, 'node_modules'));
    await writeFile(join(root, 'steps', 'one', 'package.json'), '{ "type": "module" }');
    await writeFile(join(root, 'steps', 'one', 'app.js'), 'base app');
    await writeFile(join(root, 'steps', 'one', 'lib', 'cache.js'), 'base cache');
    await writeFile(join(root, 'steps', 'one', 'lib', 'keep.js'), 'base keep');
    await mkdir(join(root, 'fixtures'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const problemsOf = async (name: string, verdict: unknown): Promise<string[]> => {
    const dir = join(root, 'fixtures', name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'verdict.json'), typeof verdict === 'string' ? verdict : JSON.stringify(verdict));
    try {
      await readFixture(dir, root);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(FixtureError);
      return (err as FixtureError).message.split('\n');
    }
  };

  it('says each mistake in one sentence naming the verdict.json', async () => {
    const at = (name: string) => `In fixtures/${name}/verdict.json,`;
    expect(await problemsOf('outside', { step: 'one', base: '../elsewhere', fails: [] })).toEqual([`${at('outside')} "base" names ../elsewhere, which is outside the workshop's folder: name a folder in it, e.g. "steps/step1".`]);
    expect(await problemsOf('absolute', { step: 'one', base: join(root, 'steps', 'one'), fails: [] })).toEqual([
      `${at('absolute')} "base" names ${join(root, 'steps', 'one')}, an absolute path: name a folder relative to the workshop's folder, e.g. "steps/step1".`,
    ]);
    expect(await problemsOf('a-file', { step: 'one', base: 'steps/one/app.js', fails: [] })).toEqual([`${at('a-file')} "base" names steps/one/app.js, which is a file, not a folder.`]);
    expect(await problemsOf('the-root', { step: 'one', base: '.', fails: [] })).toEqual([`${at('the-root')} "base" names ., which holds the fixture itself or is inside it: name another app's folder.`]);
    await problemsOf('an-overlay', { step: 'one', base: 'steps/one', fails: [] });
    expect(await problemsOf('on-an-overlay', { step: 'one', base: 'fixtures/an-overlay', fails: [] })).toEqual([
      `${at('on-an-overlay')} "base" names fixtures/an-overlay, which is itself an overlay (its verdict.json names a base): name a folder with a whole app.`,
    ]);
    expect(await problemsOf('removes', { step: 'one', base: 'steps/one', remove: ['lib/gone.js', '../x.js'], fails: [] })).toEqual([
      `${at('removes')} "remove" lists lib/gone.js, which steps/one does not have.`,
      `${at('removes')} "remove" lists ../x.js, which is not a file inside the base: name one relative to it, e.g. "lib/cache.js".`,
    ]);
    expect(await problemsOf('no-base', { step: 'one', remove: ['app.js'], fails: [] })).toEqual([`${at('no-base')} "remove" needs a "base": only an overlay has files of a base to remove.`]);
    expect(await problemsOf('typo', { step: 'one', bsae: 'steps/one', fails: 'none' })).toEqual([
      `${at('typo')} "bsae" is not a key of a verdict: they are "step", "fails", "skips", "hint", "timeoutMs", "base", "remove".`,
      `${at('typo')} "fails" must list the ids of the checks that fail, [] when the app passes (got "none").`,
    ]);
    expect(await problemsOf('not-json', '{ "step": ')).toHaveLength(1);
    expect(await problemsOf('fine', { step: 'one', base: 'steps/one', remove: ['lib/cache.js'], fails: [], $comment: 'free' })).toEqual([]);
    expect(await readFixture(join(root, 'steps', 'one'), root), 'a folder without verdict.json').toBeUndefined();
  });

  it('copies the base, then the overlay over it, less what it removes; links node_modules only; removes it all on dispose', async () => {
    const dir = join(root, 'fixtures', 'overlay');
    await mkdir(join(dir, 'lib'), { recursive: true });
    await writeFile(join(dir, 'app.js'), 'overlay app');
    await writeFile(join(dir, 'lib', 'new.js'), 'overlay new');
    await writeFile(join(dir, 'verdict.json'), '{ "step": "one", "base": "steps/one", "remove": ["lib/cache.js"], "fails": [] }');
    const f = await readFixture(dir, root);
    expect(f?.base).toBe(join(root, 'steps', 'one'));
    const app = await overlayApp(f!.base!, dir, f!.remove);
    try {
      const read = (p: string) => readFile(join(app.dir, p), 'utf8');
      expect(await read('app.js')).toBe('overlay app');
      expect(await read('lib/new.js')).toBe('overlay new');
      expect(await read('lib/keep.js')).toBe('base keep');
      expect(await read('package.json')).toBe('{ "type": "module" }');
      expect(existsSync(join(app.dir, 'lib', 'cache.js'))).toBe(false);
      // The app's files are its own: nothing it writes reaches the base or the fixture.
      for (const p of ['app.js', 'lib/keep.js', 'package.json']) expect(lstatSync(join(app.dir, p)).isSymbolicLink(), p).toBe(false);
      // Its packages: the node_modules the fixture's own folder finds.
      expect(readlinkSync(join(app.dir, '..', 'node_modules'))).toBe(join(root, 'node_modules'));
    } finally {
      await app.dispose();
    }
    expect(existsSync(join(app.dir, '..')), 'the temporary folder is removed').toBe(false);
    expect(await readFile(join(root, 'steps', 'one', 'lib', 'cache.js'), 'utf8'), 'the base is untouched').toBe('base cache');
  });
});
