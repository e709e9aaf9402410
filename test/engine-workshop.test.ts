// The runner is an engine: test/fixtures/workshops/greetings is a second,
// two-step workshop without Redis (a page; then a JSON route and a form),
// whose steps are not even called stepN, and a package of its own. Copied
// out of this repository with its node_modules, it is run as its author
// runs it: the `workshop` bin in its folder. The same engine serves its
// decks, verifies apps against its checks, switches its solutions and
// checks its content. A broken workshop.json is one clear message.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDescription, DescriptionError } from '../runner/description.ts';
import { repoRoot } from './helpers/repo.ts';
import { picture } from './workspace-helpers.ts';
import { greetingsCopy, workshopIn } from './helpers/greetings.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { runnerFetch } from './helpers/runner-http.ts';

const launch = join(repoRoot, 'runner', 'launch.js');
/** The greetings workshop, copied out of this repository for the whole file. */
let greetings = '';
let disposeGreetings: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ root: greetings, dispose: disposeGreetings } = await greetingsCopy());
});
afterAll(() => disposeGreetings?.());

const cli = (args: string[], env: Record<string, string> = {}) => workshopIn(greetings, args, env);

describe('npm run verify, on another workshop', () => {
  it('passes each solution on its step, names what the step before lacks, and knows only its steps', async () => {
    const page = await cli(['verify', 'page', '--dir', join(greetings, 'steps', 'page')]);
    expect(page.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(page.exitCode).toBe(0);

    const api = await cli(['verify', '2', '--dir', join(greetings, 'steps', 'api')]);
    expect(api.stdout.trim().split('\n').at(-1)).toBe('4 passed, 0 failed');

    const before = await cli(['verify', 'api', '--dir', join(greetings, 'steps', 'page'), '--json']);
    expect(before.exitCode).toBe(1);
    const report = JSON.parse(before.stdout) as { checks: { id: string; status: string; message: string; slide: { file: string; slide: number; title: string } }[] };
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual(['api.get', 'api.post', 'api.form']);
    const form = report.checks.find((c) => c.id === 'api.form')!;
    expect(form.message).toBe('POST /name answered 404, not a redirect.');
    // The slide is found by its heading in this workshop's deck.
    expect(form.slide).toEqual({ deck: 'api', slide: 3, title: 'app.js: Remember a name from a form', file: 'slides/api.md' });

    const unknown = await cli(['verify', 'step3']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr.trim()).toBe('There is no step "step3". The steps are page, api.');
  });

  it('sees a redirect as the answer, and the cookie it set on the next request', async () => {
    const wrong = await cli(['verify', 'api', '--dir', join(greetings, 'fixtures', 'api-redirects-elsewhere')]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toContain('POST /name redirects to /welcome, not to /.');
    expect(wrong.stdout.trim().split('\n').at(-1)).toBe('3 passed, 1 failed');

    // The solution sets its cookie on the 303 only: the page greets Ada only if that cookie was kept and sent with the next GET /.
    const right = await cli(['verify', 'api', '--dir', join(greetings, 'steps', 'api'), '--json']);
    const checks = (JSON.parse(right.stdout) as { checks: { id: string; status: string; message: string }[] }).checks;
    expect(checks.find((c) => c.id === 'api.form'), 'the cookie set by the redirect was not sent with the next request').toMatchObject({
      status: 'passed',
      message: '303 to /, then <h1>Hello, Ada</h1>.',
    });
    expect(right.exitCode).toBe(0);
  });
});

describe('npm run workshop -- check-content', () => {
  it('passes on the greetings workshop: solutions, the apps before them, fixtures, decks and slide links', async () => {
    const r = await cli(['check-content']);
    expect(r.stdout).toContain('✔ steps/start fails page');
    expect(r.stdout).toContain('✔ fixtures/api-no-form as api');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('6 apps checked, 0 lint problems: all as expected.');
    expect(r.exitCode).toBe(0);
  });

  it('fails, naming the case, when a fixture does not get its verdict or a slide link lands nowhere', async () => {
    const { root: copy, dispose } = await greetingsCopy();
    try {
      // The fixture now claims to pass; the deck loses a heading a check links.
      await writeFile(join(copy, 'fixtures', 'api-no-form', 'verdict.json'), '{ "step": "api", "fails": [] }');
      const deck = join(copy, 'slides', 'api.md');
      await writeFile(deck, (await readFile(deck, 'utf8')).replace('### Remember a name from a form', '### A form'));
      const r = await workshopIn(copy, ['check-content']);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('✖ fixtures/api-no-form as api: expected every check to pass; api.form failed.');
      expect(r.stdout).toContain('✖ checks/api.ts:');
      expect(r.stdout).toMatch(/check api\.form names the slide “Remember a name from a form”, which slides\/api\.md does not have/);
      expect(r.stdout.trim().split('\n').at(-1)).toBe('6 apps checked, 1 lint problem: 2 wrong.');
    } finally {
      await dispose();
    }
  });
});

describe('npm run solution, on another workshop', () => {
  it('switches the workspace to a step of that workshop', async () => {
    const root = await mkdtemp(join(tmpdir(), 'greetings-ws-'));
    try {
      const env = { WORKSHOP_WORKSPACE: join(root, 'workspace'), WORKSHOP_STATE: join(root, '.workshop') };
      const r = await cli(['solution', 'api', '--yes'], env);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(await picture(join(root, 'workspace'))).toEqual(await picture(join(greetings, 'steps', 'api')));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('npm run workshop, on another workshop', () => {
  let runner: RunningWorkshop;
  beforeAll(async () => {
    runner = await startWorkshopRunner({ args: ['--workshop', greetings] });
  }, 30_000);
  afterAll(async () => {
    await runner?.stop();
  });

  it('titles the page with its workshop, lists its steps, starts no Redis and serves its decks', async () => {
    const html = await (await runnerFetch(runner.link, "")).text();
    expect(html).toContain('<title>Greetings: a page, then a JSON API</title>');
    const state = (await (await runnerFetch(runner.link, `api/state`)).json()) as { steps: { name: string; title: string; services: string[] }[]; redis: { state: string } };
    expect(state.steps.map((s) => `${s.name}: ${s.title}`)).toEqual(['page: A page that says hello', 'api: A JSON route and a form']);
    expect(state.redis).toEqual({ state: 'not-needed' });
    expect(runner.output()).not.toMatch(/Redis/);
    const deck = (await (await runnerFetch(runner.link, `api/decks/api`)).json()) as { slides: { title: string; html: string }[]; problems: unknown[] };
    expect(deck.problems).toEqual([]);
    expect(deck.slides.map((s) => s.title)).toEqual(['A JSON route and a form', 'app.js: Greet by name, in JSON', 'app.js: Remember a name from a form', 'Your turn']);
    // Code excerpts come from this workshop's steps.
    expect(deck.slides[2]!.html).toContain('data-src="steps/api/app.js"');
    expect(deck.slides[2]!.html).toContain('<span class="hljs-title function_">redirect</span>');
  });

  it("creates the learner's workspace from its start, and runs it", async () => {
    await waitFor('the workspace app running', async () => {
      const state = (await (await runnerFetch(runner.link, `api/state`)).json()) as { apps: { id: string; state: string }[] };
      return state.apps.find((a) => a.id === 'workspace' && a.state === 'running');
    });
    expect(await picture(runner.workspace, (p) => p.startsWith('node_modules'))).toEqual(await picture(join(greetings, 'steps', 'start')));
  });
});

describe('workshop.json', () => {
  it('says every problem in one message', () => {
    const error = (() => {
      try {
        parseDescription(JSON.stringify({ title: '', steps: [{ name: 'Step 1', services: ['mongo'] }, { name: '2' }] }), '/w');
      } catch (err) {
        return err as DescriptionError;
      }
    })();
    expect(error).toBeInstanceOf(DescriptionError);
    expect(error!.problems).toEqual([
      'The workshop needs "title", a non-empty string.',
      'The workshop needs "start", a non-empty string.',
      'Step "Step 1"\'s name must be lower-case letters, digits and dashes (it is typed on the command line).',
      'Step "Step 1"\'s "services" must be a list of: redis.',
      'Step "Step 1" needs "title", a non-empty string.',
      'Step "Step 1" needs "solution", a non-empty string.',
      'Step "Step 1" needs "deck", a non-empty string.',
      'Step "Step 1" needs "checks", a non-empty string.',
      'Step "2"\'s name cannot be a number: numbers name steps by position.',
      'Step "2" needs "title", a non-empty string.',
      'Step "2" needs "solution", a non-empty string.',
      'Step "2" needs "deck", a non-empty string.',
      'Step "2" needs "checks", a non-empty string.',
    ]);
  });

  it('missing or broken: the command says so in one message and exits 2', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-workshop-'));
    try {
      const r = await execa(process.execPath, [launch, 'verify', 'step1', '--workshop', empty], { cwd: repoRoot, reject: false, env: { NO_COLOR: '1' } });
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim()).toBe(`${join(empty, 'workshop.json')} is not a workshop description:\n  - there is no workshop.json in ${empty}: run the command in a workshop's folder, point --workshop at one, or write a new one with \`workshop init <dir>\`.`);
      await writeFile(join(empty, 'workshop.json'), '{ "title": ');
      const broken = await execa(process.execPath, [launch, 'list', '--workshop', empty], { cwd: repoRoot, reject: false, env: { NO_COLOR: '1' } });
      expect(broken.exitCode).toBe(2);
      expect(broken.stderr).toMatch(/is not a workshop description:\n {2}- it is not JSON: /);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
