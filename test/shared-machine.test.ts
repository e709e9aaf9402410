// The runner on a shared machine: only the learner who started it gets in.
// Another user of the machine is a real process that knows only the port
// (and runs as another uid when the tests run as root); the learner's and
// that user's browsers are real Chromiums; the learner's app is a real
// process in the runner's iframe, trying to take the runner's tab.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageKeyOf } from '../runner/server/security.ts';
import { writeOpener } from '../runner/token.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { runnerFetch, tokenIn } from './helpers/runner-http.ts';
import { startWorkshopRunner, waitFor, type RunningWorkshop } from './helpers/workshop-runner.ts';
import { picture } from './faults/helpers.ts';

// The learner's app: a page whose button and form try to navigate the tab it is framed in.
const escapingApp = `const http = require('node:http');
const port = process.env.PORT;
http.createServer((req, res) => {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (req.url === '/escaped') return res.end('<p id="escaped">The app took the tab.</p>');
  res.end(\`<!doctype html><title>App</title><p id="here">The learner's app</p>
<button id="escape" onclick="top.location.href = 'http://127.0.0.1:\${port}/escaped'">Escape by script</button>
<form action="/escaped" target="_top"><button id="escape-form">Escape by form</button></form>
<a id="inside" href="/escaped">Stay inside</a>\`);
}).listen(port, '127.0.0.1', () => console.log('Listening on ' + port));
`;

let redis: ThrowawayRedis;
let runner: RunningWorkshop;
let appDir: string;
let token: string;
const editorLog = () => join(appDir, 'editor.log');

beforeAll(async () => {
  redis = await throwawayRedis();
  appDir = await mkdtemp(join(tmpdir(), 'workshop-escaping-app-'));
  await writeFile(join(appDir, 'app.js'), escapingApp);
  await writeFile(join(appDir, 'package.json'), JSON.stringify({ name: 'escaping-app', private: true, main: 'app.js' }));
  const editor = join(appDir, 'editor.sh');
  await writeFile(editor, `#!/bin/sh\necho "$@" >> '${editorLog()}'\n`);
  await chmod(editor, 0o755);
  runner = await startWorkshopRunner({ workspaceFrom: appDir, env: { REDIS_URL: redis.url, LAUNCH_EDITOR: editor } });
  token = tokenIn(runner.link);
  await waitFor('the apps to run', async () => {
    const s = (await (await runnerFetch(runner.link, 'api/state')).json()) as { apps: { state: string }[] };
    return s.apps.length === 2 && s.apps.every((a) => a.state === 'running');
  }, 30_000);
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
  await rm(appDir, { recursive: true, force: true });
});

interface Answer {
  method: string;
  target: string;
  status: number;
  head: string;
  body: string;
}
interface Report {
  uid: number;
  answers: Answer[];
  publicFiles: Answer[];
  files: Record<string, { read: boolean; text?: string; code?: string }>;
}

const asRoot = process.getuid?.() === 0;

/** The second user: a process given only the port (and where the learner's .workshop is, to try its files). */
async function secondUser(): Promise<Report> {
  // Where any user can run it from: a world-readable copy, outside the learner's folders.
  const dir = await mkdtemp(join(tmpdir(), 'workshop-second-user-'));
  try {
    await chmod(dir, 0o755);
    const script = join(dir, 'second-user.mjs');
    await copyFile(join(import.meta.dirname, 'helpers', 'second-user.mjs'), script);
    await chmod(script, 0o644);
    const out = execFileSync(process.execPath, [script, String(runner.port), runner.state], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeout: 60_000,
      encoding: 'utf8',
      // As root, really another user: nobody.
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    return JSON.parse(out) as Report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runnerState() {
  return (await (await runnerFetch(runner.link, 'api/state')).json()) as { current: string; watch: boolean; steps: { name: string; status: string }[] };
}

describe('another user of the machine, with only the port', () => {
  it('gets the page that asks for the link, and nothing else: no read, no change, no stream, no file of the learner\'s', async () => {
    // A learner's home is often readable by everyone (0755): the runner's own files must still be private.
    await chmod(runner.root, 0o755);
    await chmod(runner.state, 0o755);
    writeOpener(runner.state, runner.link); // what the runner opens the browser on (the tests run it with --no-open)
    const workspaceBefore = await picture(runner.workspace);
    const stateBefore = await runnerState();

    const report = await secondUser();
    if (asRoot) expect(report.uid).toBe(65534);

    const pageKey = pageKeyOf(token);
    for (const a of [...report.answers, ...report.publicFiles]) {
      expect(a.body, `${a.method} ${a.target}`).not.toContain(token);
      expect(a.body, `${a.method} ${a.target}`).not.toContain(pageKey);
      expect(a.head, `${a.method} ${a.target}`).not.toMatch(/text\/event-stream/);
    }
    // Every request is refused, with one sentence saying where the way in is.
    const refused = report.answers.filter((a) => a.status === 403);
    expect(report.answers.filter((a) => a.status !== 403).map((a) => `${a.method} ${a.target} → ${a.status}`)).toEqual([]);
    expect(refused.length).toBe(report.answers.length);
    const door = report.answers.find((a) => a.method === 'GET' && a.target === '/')!;
    expect(door.body).toContain('Open the workshop from its link');
    expect(door.body).toContain('?token=');
    expect(door.body).not.toContain('workshop-page-key');
    const api = report.answers.find((a) => a.target === '/api/diff/step1')!;
    expect(api.body).toMatch(/^Blocked: this workshop answers only the browser that opened its link\./);
    // The page's own static files are public, and hold no secret.
    expect(report.publicFiles.map((a) => a.status)).toEqual(report.publicFiles.map(() => 200));

    // The token and the page that carries it are the learner's alone; the claim names no token.
    for (const name of ['token', 'open.html']) {
      expect(((await stat(join(runner.state, name))).mode & 0o777).toString(8), name).toBe('600');
      if (asRoot) expect(report.files[name], name).toEqual({ read: false, code: 'EACCES' });
    }
    if (asRoot) {
      expect(report.files['runner.json']!.read).toBe(true);
      expect(report.files['runner.json']!.text).not.toContain(token);
    }

    // Nothing changed: the learner's files, the step, watch mode, no backup, no editor started.
    expect(await picture(runner.workspace)).toEqual(workspaceBefore);
    const stateAfter = await runnerState();
    expect({ current: stateAfter.current, watch: stateAfter.watch, steps: stateAfter.steps }).toEqual({ current: stateBefore.current, watch: stateBefore.watch, steps: stateBefore.steps });
    expect((await readdir(runner.state)).filter((f) => /backup/i.test(f))).toEqual([]);
    expect(await readFile(editorLog(), 'utf8').catch(() => '')).toBe('');
  }, 90_000);

  it('API answers, refusals included, say Cache-Control: no-store', async () => {
    for (const path of ['api/state', 'api/decks/step1/1', 'api/results/step1', 'api/nope']) {
      const res = await runnerFetch(runner.link, path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    expect((await fetch(new URL('api/state', runner.url))).headers.get('cache-control')).toBe('no-store');
  });
});

describe("the learner's browser", () => {
  let learner: Browser;
  let other: Browser;
  let sites: Server;
  let sitePort: number;

  beforeAll(async () => {
    learner = await launchBrowser({ viewport: { width: 1280, height: 720 } });
    other = await launchBrowser();
    // Two pages that link to the runner's step 4: one on another site (localhost is not 127.0.0.1), one on the same site (another port of 127.0.0.1).
    sites = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<a id="go" href="http://127.0.0.1:${runner.port}/#/step4/1" target="_blank">step 4</a>`);
    });
    await new Promise<void>((r) => sites.listen(0, '127.0.0.1', r));
    sitePort = (sites.address() as { port: number }).port;
  }, 60_000);

  afterAll(async () => {
    await learner?.close();
    await other?.close();
    sites?.closeAllConnections();
    await new Promise((r) => sites?.close(r));
  });

  it('opens the link: the token becomes an HttpOnly, SameSite=Strict cookie and leaves the address bar; the page holds no token', async () => {
    const { page, context } = learner;
    await page.goto(`${runner.link}#/step1/2`);
    expect(page.url()).toBe(`${runner.url}#/step1/2`);
    await expect.poll(() => page.locator('#counter').textContent()).toMatch(/^step1: 2 \//);
    const cookies = await context.cookies(runner.url);
    expect(cookies.map((c) => ({ name: c.name, value: c.value, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }))).toEqual([
      { name: `workshop-${runner.port}`, value: token, httpOnly: true, sameSite: 'Strict', path: '/' },
    ]);
    expect(await page.content()).not.toContain(token);
    // Scripts on the page cannot read the token; the page's reads and changes still work.
    expect(await page.evaluate(() => document.cookie)).not.toContain(token);
    expect(await page.evaluate(async () => (await fetch('/api/state')).status)).toBe(200);
    await page.reload();
    await expect.poll(() => page.locator('#counter').textContent()).toMatch(/^step1: 2 \//);
    await page.locator('#watch').check();
    await expect.poll(async () => (await runnerState()).watch).toBe(true);
    await page.locator('#watch').uncheck();
    await expect.poll(async () => (await runnerState()).watch).toBe(false);
  });

  it('opens through the private page the runner opens the browser on, deep link kept', async () => {
    const fresh = await launchBrowser();
    try {
      const opener = writeOpener(runner.state, `${runner.link}`);
      await fresh.page.goto(`${opener}`);
      await fresh.page.waitForURL(`${runner.url}`, { timeout: 10_000 });
      await expect.poll(() => fresh.page.locator('#counter').textContent()).toMatch(/^step\d: 1 \//);
      expect(await fresh.page.content()).not.toContain(token);
    } finally {
      await fresh.close();
    }
  });

  it("another user's browser gets the page that asks for the link, without the token", async () => {
    const res = await other.page.goto(`${runner.url}#/step3/1`);
    expect(res?.status()).toBe(403);
    await expect.poll(() => other.page.locator('h1').textContent()).toBe('Open the workshop from its link');
    expect(await other.page.locator('body').textContent()).toContain('running the same command again in the workshop folder prints it again');
    expect(await other.page.content()).not.toContain(token);
    // A wrong token is told apart from none.
    await other.page.goto(`${runner.url}?token=${token.slice(0, -2)}xx`);
    await expect.poll(() => other.page.locator('h1').textContent()).toBe("This link is not the workshop's");
    expect(await other.context.cookies(runner.url)).toEqual([]);
  });

  it('a link from another site shows that page, not the step; from the same site it shows the step and moves nothing', async () => {
    const before = (await runnerState()).current;
    expect(before).not.toBe('step4');
    const { page, context } = learner;
    for (const [site, expected] of [[`http://localhost:${sitePort}/`, 'door'], [`http://127.0.0.1:${sitePort}/`, 'step']] as const) {
      await page.goto(site);
      const [popup] = await Promise.all([context.waitForEvent('page'), page.locator('#go').click()]);
      await popup.waitForLoadState();
      if (expected === 'door') {
        // SameSite=Strict: a request another site starts carries no cookie.
        await expect.poll(() => popup.locator('h1').textContent()).toBe('Open the workshop from its link');
      } else {
        await expect.poll(() => popup.locator('#counter').textContent()).toMatch(/^step4: 1 \//);
        await expect.poll(() => popup.locator('#step-away').textContent()).toContain(`the step solution app still runs ${before}`);
      }
      await popup.waitForTimeout(500);
      expect((await runnerState()).current, site).toBe(before);
      await popup.close();
    }
  });

  it("keeps the learner's app in a sandbox: neither its script nor its form can take the runner's tab", async () => {
    const { page } = learner;
    await page.goto(`${runner.url}#/step1/1`);
    expect(await page.locator('#app-frame').getAttribute('sandbox')).toBe('allow-scripts allow-forms allow-same-origin');
    const frame = page.frameLocator('#app-frame');
    await expect.poll(() => frame.locator('#here').textContent(), { timeout: 15_000 }).toBe("The learner's app");
    for (const button of ['#escape', '#escape-form']) {
      await frame.locator(button).click();
      await page.waitForTimeout(500);
      expect(page.url(), button).toBe(`${runner.url}#/step1/1`);
      expect(await page.locator('#slide').count(), button).toBe(1);
    }
    // Inside its own frame the app still navigates: the sandbox keeps its scripts, forms and origin.
    await frame.locator('#inside').click();
    await expect.poll(() => frame.locator('#escaped').count()).toBe(1);
    expect(page.url()).toBe(`${runner.url}#/step1/1`);
  });
});
