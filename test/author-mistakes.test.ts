// An author's mistakes are caught where they are made, each named with its
// file (and line), by the command the author runs: a typo in workshop.json's
// keys, a start or solution folder that is not there, a check id used twice
// or a `needs` that names no check that runs before, a checks module that
// does not compile (which breaks only the commands that load it), and a check
// that throws (its line in the checks module, and check-content calls it the
// workshop's bug). Each on a copy of the greetings workshop, through its bin;
// and each time, the right thing passes.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { greetingsCopy, workshopIn, type GreetingsCopy } from './helpers/greetings.ts';

const copies: GreetingsCopy[] = [];
afterEach(async () => {
  for (const copy of copies.splice(0)) await copy.dispose();
});

async function copy(): Promise<{ root: string; workshop: (...args: string[]) => ReturnType<typeof run>; edit: (file: string, change: (text: string) => string) => Promise<void> }> {
  const c = await greetingsCopy('author-mistakes-');
  copies.push(c);
  return {
    root: c.root,
    workshop: (...args) => run(c.root, args),
    async edit(file, change) {
      const path = join(c.root, file);
      const before = await readFile(path, 'utf8');
      const after = change(before);
      expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
      await writeFile(path, after);
    },
  };
}

const run = (root: string, args: string[]) => workshopIn(root, args);

/** The 1-based line of `file` (in the copy) that holds `text`. */
async function lineOf(root: string, file: string, text: string): Promise<number> {
  const lines = (await readFile(join(root, file), 'utf8')).split('\n');
  const at = lines.findIndex((l) => l.includes(text));
  expect(at, `${file} has no line with ${text}`).toBeGreaterThanOrEqual(0);
  return at + 1;
}

describe('workshop.json', () => {
  it('an unknown key, at the top or in a step, is named with the nearest known key; "$" keys are free', async () => {
    const w = await copy();
    await w.edit('workshop.json', (t) => t.replace('"title":', '"$comment": "an author\'s note", "title":'));
    const fine = await w.workshop('list');
    expect(fine.stderr).toBe('');
    expect(fine.exitCode).toBe(0);

    await w.edit('workshop.json', (t) =>
      t.replace('"checks": "checks/api.ts"', '"checks": "checks/api.ts", "service": ["redis"]').replace('"fixtures": "fixtures",', '"fixture": "fixtures",').replace('"slides": "slides",', '"slides": "slides", "colour": "blue",'),
    );
    for (const command of ['list', 'verify', 'lint']) {
      const r = await w.workshop(command, ...(command === 'verify' ? ['page', '--dir', join(w.root, 'steps', 'page')] : []));
      expect(r.exitCode, command).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `${join(w.root, 'workshop.json')} is not a workshop description:`,
        '  - The workshop has an unknown key "colour": the keys are "title", "start", "slides", "fixtures", "steps".',
        '  - The workshop has an unknown key "fixture": did you mean "fixtures"?',
        '  - Step "api" has an unknown key "service": did you mean "services"?',
      ]);
    }
  }, 60_000);
});

describe('a folder workshop.json names', () => {
  it('missing: every command refuses in one sentence a folder, saying which and where, exit 2', async () => {
    const w = await copy();
    await rename(join(w.root, 'steps', 'api'), join(w.root, 'steps', 'api-moved'));
    await rename(join(w.root, 'steps', 'start'), join(w.root, 'steps', 'begin'));
    // The fixtures only check-content reads: only it names them.
    await rm(join(w.root, 'fixtures'), { recursive: true });
    for (const args of [['list'], ['verify', 'page', '--dir', join(w.root, 'steps', 'page')], ['lint'], ['solution', 'page', '--yes'], ['diff', 'page'], ['check-content']]) {
      const r = await w.workshop(...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([
        `${join(w.root, 'workshop.json')} names folders that are not there:`,
        `  - The workshop's "start", steps/start, is not a folder: ${join(w.root, 'steps', 'start')} does not exist.`,
        `  - Step "api"'s "solution", steps/api, is not a folder: ${join(w.root, 'steps', 'api')} does not exist.`,
        ...(args[0] === 'check-content' ? [`  - The workshop's "fixtures", fixtures, is not a folder: ${join(w.root, 'fixtures')} does not exist.`] : []),
      ]);
    }
    // Put back, every command runs again.
    await rename(join(w.root, 'steps', 'api-moved'), join(w.root, 'steps', 'api'));
    await rename(join(w.root, 'steps', 'begin'), join(w.root, 'steps', 'start'));
    const list = await w.workshop('list');
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain('api  A JSON route and a form');
  }, 60_000);
});

describe('workshop lint, on the checks modules', () => {
  it('passes a workshop whose ids are each one check, and whose needs run before', async () => {
    const w = await copy();
    const r = await w.workshop('lint');
    expect(r.stdout).toContain('Every check links a slide that is there, has an id of its own and needs only checks that run before it.');
    expect(r.exitCode).toBe(0);
  });

  it('names an id used twice (in a step, and across steps) and a need that names no check or one that runs later, at its line', async () => {
    const w = await copy();
    // api.post takes api.get's id; api.form takes page.hello's; api.get needs a typo; page.hello needs a check of api.
    await w.edit('checks/api.ts', (t) =>
      t
        .replace("id: 'api.post'", "id: 'api.get'")
        .replace("id: 'api.form'", "id: 'page.hello'")
        .replace("needs: ['page.hello'],\n      async run(ctx) {\n        const page = await ctx.send(ctx.visitor(), await ctx.main(), { path: '/api/greeting?name=Ada' });", "needs: ['page.helo'],\n      async run(ctx) {\n        const page = await ctx.send(ctx.visitor(), await ctx.main(), { path: '/api/greeting?name=Ada' });"),
    );
    await w.edit('checks/page.ts', (t) => t.replace('      slide,\n', "      slide,\n      needs: ['api.get'],\n"));
    const api = (text: string) => lineOf(w.root, 'checks/api.ts', text);
    const getLine = await api("id: 'api.get'");
    const r = await w.workshop('lint');
    expect(r.exitCode).toBe(1);
    expect(r.stdout.trim().split('\n').sort()).toEqual(
      [
        `checks/page.ts:${await lineOf(w.root, 'checks/page.ts', "needs: ['api.get']")}: check page.hello needs "api.get", a check of a later step (api): a check can need only the checks of its own step or an earlier one, that run before it`,
        `checks/api.ts:${await api("needs: ['page.helo']")}: check api.get needs "page.helo", which is no check of the workshop`,
        `checks/api.ts:${(await readFile(join(w.root, 'checks/api.ts'), 'utf8')).split('\n').findIndex((l, i) => i + 1 > getLine && l.includes("id: 'api.get'")) + 1}: the check id "api.get" is used twice: it is also the id of the check at line ${getLine} (an id names one check)`,
        `checks/api.ts:${await api("id: 'page.hello'")}: the check id "page.hello" is used twice: it is also the id of the check at checks/page.ts:${await lineOf(w.root, 'checks/page.ts', "id: 'page.hello'")}, a check of page (an id names one check)`,
      ].sort(),
    );
    expect(r.stderr).toContain('4 problems in the decks and the checks modules.');
  }, 60_000);

  it('names a need of a check that runs after it in the same step', async () => {
    const w = await copy();
    await w.edit('checks/api.ts', (t) => t.replace("needs: ['page.hello'],", "needs: ['page.hello', 'api.form'],"));
    const r = await w.workshop('lint');
    expect(r.exitCode).toBe(1);
    expect(r.stdout.trim()).toBe(
      `checks/api.ts:${await lineOf(w.root, 'checks/api.ts', "'api.form']")}: check api.get needs "api.form", which runs after it in api: a check can need only the checks that run before it`,
    );
  }, 60_000);
});

describe('a checks module that does not compile', () => {
  it('breaks the commands that load it, naming its file and line, and no others; fixed, it is built again', async () => {
    const w = await copy();
    await w.edit('checks/api.ts', (t) => t.replace("      id: 'api.post',", "      id: 'api.post',\n      title: ,"));
    const line = await lineOf(w.root, 'checks/api.ts', 'title: ,');
    // A deck mistake too: the lint still reads the decks.
    await w.edit('slides/page.md', (t) => t.replace("region='home'", "region='nowhere'"));

    const list = await w.workshop('list');
    expect(list.stderr).toBe('');
    expect(list.exitCode).toBe(0);

    // The earlier step's checks are built and run.
    const page = await w.workshop('verify', 'page', '--dir', join(w.root, 'steps', 'page'));
    expect(page.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(page.exitCode).toBe(0);

    const api = await w.workshop('verify', 'api', '--dir', join(w.root, 'steps', 'api'));
    expect(api.exitCode).toBe(2);
    expect(api.stderr.trim()).toBe(`The checks of api (checks/api.ts) cannot be built: checks/api.ts:${line}:14: Unexpected ","`);

    const lint = await w.workshop('lint');
    expect(lint.exitCode).toBe(1);
    expect(lint.stdout).toContain(`checks/api.ts:${line}: the checks of api cannot be built: Unexpected ","`);
    expect(lint.stdout).toMatch(/slides\/page\.md:\d+: .*nowhere/);

    // Fixed: built again, and it runs.
    await w.edit('checks/api.ts', (t) => t.replace('\n      title: ,', ''));
    const fixed = await w.workshop('verify', 'api', '--dir', join(w.root, 'steps', 'api'));
    expect(fixed.stdout.trim().split('\n').at(-1)).toBe('4 passed, 0 failed');
    expect(fixed.exitCode).toBe(0);
  }, 90_000);

  it('in an earlier step, breaks the later steps too (runs are cumulative), and a missing one is named', async () => {
    const w = await copy();
    await w.edit('checks/page.ts', (t) => t.replace("const slide = { deck: 'page', heading: 'Say hello' };", "const slide = { deck: 'page', heading: 'Say hello' ;"));
    const line = await lineOf(w.root, 'checks/page.ts', "heading: 'Say hello' ;");
    for (const step of ['page', 'api']) {
      const r = await w.workshop('verify', step, '--dir', join(w.root, 'steps', 'api'));
      expect(r.exitCode, step).toBe(2);
      expect(r.stderr, step).toMatch(new RegExp(`^The checks of page \\(checks/page\\.ts\\) cannot be built: checks/page\\.ts:${line}:\\d+: `));
    }

    await w.edit('checks/page.ts', (t) => t.replace("heading: 'Say hello' ;", "heading: 'Say hello' };"));
    await rm(join(w.root, 'checks', 'api.ts'));
    expect((await w.workshop('verify', 'page', '--dir', join(w.root, 'steps', 'page'))).exitCode).toBe(0);
    const missing = await w.workshop('verify', 'api', '--dir', join(w.root, 'steps', 'api'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toBe(`The checks of api (checks/api.ts) cannot be built: there is no file ${join(w.root, 'checks', 'api.ts')}`);
  }, 90_000);
});

describe('a check that throws', () => {
  it("is shown at its line in the checks module, and check-content calls it the workshop's bug", async () => {
    const w = await copy();
    await w.edit('checks/api.ts', (t) =>
      t.replace(
        "const body = json(page) as { greeting?: unknown };\n        if (body.greeting !== 'Hello, Ada')",
        "const body = json(page) as { greeting?: unknown };\n        const parts = (body as { parts?: string[] }).parts!.length;\n        if (parts && body.greeting !== 'Hello, Ada')",
      ),
    );
    const line = await lineOf(w.root, 'checks/api.ts', 'parts!.length');
    const r = await w.workshop('verify', 'api', '--dir', join(w.root, 'steps', 'api'), '--json');
    expect(r.exitCode).toBe(1);
    const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; broken?: boolean }[] }).checks;
    expect(checks.find((c) => c.id === 'api.get')).toMatchObject({
      status: 'failed',
      broken: true,
      message: `The check itself went wrong at checks/api.ts:${line}: Cannot read properties of undefined (reading 'length')`,
    });
    // A check that fails as it should is no bug of the workshop's.
    expect(checks.filter((c) => c.id !== 'api.get').every((c) => c.status === 'passed' && c.broken === undefined)).toBe(true);
    const wrong = await w.workshop('verify', 'api', '--dir', join(w.root, 'fixtures', 'api-no-form'), '--json');
    const form = (JSON.parse(wrong.stdout) as { checks: { id: string; status: string; broken?: boolean }[] }).checks.find((c) => c.id === 'api.form');
    expect(form).toMatchObject({ status: 'failed' });
    expect(form?.broken).toBeUndefined();

    const content = await w.workshop('check-content', '--concurrency', '1');
    expect(content.exitCode).toBe(1);
    expect(content.stdout).toContain(
      `✖ steps/api passes api: check api.get is broken (a bug in the workshop's checks, not in the app): The check itself went wrong at checks/api.ts:${line}: Cannot read properties of undefined (reading 'length')`,
    );
  }, 90_000);
});
