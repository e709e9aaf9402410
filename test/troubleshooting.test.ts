// Every row of every "When it doesn't work" table is true: a fixture app
// makes the row's mistake, the learner's view of it (terminal, page,
// redis-cli) shows what the row's "You see" says, and the row's fix makes
// the app pass `npm run verify`. A row without a case here fails the suite.
// Real parts only: a throwaway redis-server, the apps as child processes,
// the real redis-cli and the real verify CLI.
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChild } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { visitor, type RunningApp } from './helpers/app.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { repo, runCli } from './helpers/verify-cli.ts';
import { fixtureApps } from './fixture-apps.ts';

const fixtures = fileURLToPath(new URL('./fixtures/troubleshooting/', import.meta.url));
const slidesDir = join(repo, 'slides');

interface Row {
  deck: string;
  cells: string[];
}

/** The rows of each deck's "When it doesn't work" table: You see, Because, Fix. */
async function troubleshootingRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const file of (await readdir(slidesDir)).filter((f) => f.endsWith('.md'))) {
    const text = await readFile(join(slidesDir, file), 'utf8');
    for (const slide of text.split(/^---\s*$/m)) {
      if (!/^##\s+When it doesn't work\s*$/m.test(slide)) continue;
      const lines = slide.split('\n').filter((l) => l.startsWith('|'));
      for (const line of lines.slice(2)) {
        const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
        rows.push({ deck: file, cells });
      }
    }
  }
  return rows;
}

/** What "You see" quotes: `code` and "quoted" text, each of which the learner must really see. */
function quoted(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`|"([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
}

let redis: ThrowawayRedis;
// As a learner runs it: not under vitest's NODE_ENV=test, which silences Express's error log.
const appEnv = () => ({ REDIS_URL: redis.url, SESSION_SECRET: 'troubleshooting', NODE_ENV: 'development' });
const apps = fixtureApps(appEnv);
const { start, stop } = apps;
const fixtureApp = (name: string) => apps.step3With(join(fixtures, name));

beforeAll(async () => {
  redis = await throwawayRedis();
});
afterAll(async () => {
  await apps.dispose();
  await redis?.dispose();
});
beforeEach(async () => {
  await redis.client.flushAll();
});

/** Runs an app that should not get as far as listening; its output once it has exited. */
async function crash(dir: string): Promise<string> {
  const child = startChild(process.execPath, ['app.js'], { cwd: dir, env: { ...process.env, ...appEnv(), PORT: String(await freePort()) } });
  const timer = setTimeout(() => void child.stop(), 10_000);
  const exit = await child.exited;
  clearTimeout(timer);
  expect(exit.code, 'the app should have crashed').not.toBe(0);
  return child.log.join('\n');
}

/** The app's terminal, once it shows `text` (output can trail the response a little). */
async function terminal(app: RunningApp, text: string): Promise<string> {
  for (let waited = 0; waited < 3000 && !app.process.log.join('\n').includes(text); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return app.process.log.join('\n');
}

const exec = promisify(execFile);
async function redisCli(...args: string[]): Promise<string> {
  const { stdout } = await exec('redis-cli', ['-p', String(redis.port), ...args], { timeout: 5000 });
  return `$ redis-cli ${args.map((a) => (/[*\s]/.test(a) ? `'${a}'` : a)).join(' ')}\n${stdout}`;
}

const visitsOf = (body: string) => /You have visited this page (\d+) time/.exec(body)?.[1];

/** Applies a fix to the app's app.js: each `from` must be there exactly once. */
async function applyFix(dir: string, fix: [from: string, to: string][]): Promise<void> {
  const file = join(dir, 'app.js');
  let text = await readFile(file, 'utf8');
  for (const [from, to] of fix) {
    expect(text.split(from).length - 1, `"${from}" once in the fixture`).toBe(1);
    text = text.replace(from, to);
  }
  await writeFile(file, text);
}

async function expectVerifyPasses(dir: string): Promise<void> {
  const { code, stdout, stderr } = await runCli(['step3', '--dir', dir]);
  expect(stdout, stderr).toMatch(/^\d+ passed, 0 failed$/m);
  expect(code).toBe(0);
}

interface Mistake {
  fixture: string;
  /** Does what the learner does, and gives back what they see. */
  see(dir: string): Promise<string>;
  fix: [string, string][];
  /** After the fix, the mistake's effect is gone (beyond passing verify). */
  fixed?(dir: string): Promise<void>;
}

interface Case {
  /** Words of the row's "You see" cell that name it. */
  row: string;
  mistakes: Mistake[];
}

const cases: Case[] = [
  {
    row: 'is not a function',
    mistakes: [
      {
        fixture: 'old-api-require',
        see: crash,
        fix: [["const RedisStore = require('connect-redis')(session);", "const { RedisStore } = require('connect-redis');"]],
      },
      {
        fixture: 'old-api-default-import',
        see: crash,
        fix: [["import RedisStore from 'connect-redis';", "import { RedisStore } from 'connect-redis';"]],
      },
    ],
  },
  {
    row: 'The client is closed',
    mistakes: [
      {
        fixture: 'client-not-connected',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          const first = await browser.get(`${app.url}/`);
          expect(first.status, 'the first visit works').toBe(200);
          expect(visitsOf(first.body)).toBe('1');
          const next = await browser.get(`${app.url}/`);
          expect(next.status, 'the next one fails').toBe(500);
          return `${next.body}\n${await terminal(app, 'ClientClosedError')}`;
        },
        fix: [['// (no await redisClient.connect())', 'await redisClient.connect();']],
      },
    ],
  },
  {
    row: 'The count stays at 1',
    mistakes: [
      {
        fixture: 'secure-cookie',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          for (let i = 0; i < 3; i++) {
            const page = await browser.get(`${app.url}/`);
            expect(visitsOf(page.body), 'the count stays at 1').toBe('1');
            expect(page.headers.getSetCookie().join('\n'), 'no session cookie reaches the browser').not.toContain('connect.sid=');
          }
          const scan = await redisCli('--scan', '--pattern', 'sess:*');
          expect(scan.match(/^sess:/gm), 'one new session per visit').toHaveLength(3);
          return scan;
        },
        fix: [['cookie: { secure: true, httpOnly: true }', 'cookie: { httpOnly: true }']],
      },
    ],
  },
  {
    row: "reading 'visits'",
    mistakes: [
      {
        fixture: 'session-after-routes',
        async see(dir) {
          const app = await start(dir);
          const page = await visitor().get(`${app.url}/`);
          expect(page.status).toBe(500);
          return terminal(app, "reading 'visits'");
        },
        fix: [
          ["app.use('/', indexRouter);\napp.use(session(", 'app.use(session('],
          ["app.listen(", "app.use('/', indexRouter);\napp.listen("],
        ],
      },
    ],
  },
  {
    row: 'deprecated req.secret',
    mistakes: [
      {
        fixture: 'no-session-secret',
        async see(dir) {
          const app = await start(dir);
          const browser = visitor();
          // Sessions still work: they are signed with cookie-parser's secret.
          for (const n of ['1', '2', '3']) expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe(n);
          return terminal(app, 'deprecated req.secret');
        },
        fix: [['session({ store, resave: false,', 'session({ store, secret, resave: false,']],
        async fixed(dir) {
          const app = await start(dir);
          await visitor().get(`${app.url}/`);
          expect(app.process.log.join('\n')).not.toContain('deprecated');
          await stop(app);
        },
      },
    ],
  },
  {
    row: 'starts again at 1 after each restart',
    mistakes: [
      {
        fixture: 'secret-made-at-start',
        async see(dir) {
          const browser = visitor();
          let app = await start(dir);
          await browser.get(`${app.url}/`);
          expect(visitsOf((await browser.get(`${app.url}/`)).body)).toBe('2');
          await stop(app);
          app = await start(dir);
          const page = await browser.get(`${app.url}/`);
          expect(visitsOf(page.body), 'after a restart, the count starts again at 1').toBe('1');
          await stop(app);
          return page.body;
        },
        fix: [["const secret = randomBytes(32).toString('hex');", "const secret = process.env.SESSION_SECRET || 'keyboard cat';"]],
      },
    ],
  },
  {
    row: 'sessions that hold only a',
    mistakes: [
      {
        fixture: 'save-uninitialized',
        async see(dir) {
          const app = await start(dir);
          // Each a new visitor without a cookie: a file served after the session, and a page that is not there.
          expect((await fetch(`${app.url}/stylesheets/style.css`)).status).toBe(200);
          expect((await fetch(`${app.url}/favicon.ico`)).status).toBe(404);
          await stop(app);
          const scan = await redisCli('--scan', '--pattern', 'sess:*');
          const keys = scan.split('\n').filter((l) => l.startsWith('sess:'));
          expect(keys).toHaveLength(2);
          const records = await Promise.all(keys.map((key) => redisCli('GET', key)));
          for (const record of records) expect(Object.keys(JSON.parse(record.split('\n')[1]!.replace(/^"|"$/g, '').replace(/\\"/g, '"')))).toEqual(['cookie']);
          return `${scan}\n${records.join('\n')}`;
        },
        fix: [['saveUninitialized: true', 'saveUninitialized: false']],
        async fixed(dir) {
          await redis.client.flushAll();
          const app = await start(dir);
          await fetch(`${app.url}/stylesheets/style.css`);
          await fetch(`${app.url}/favicon.ico`);
          await stop(app);
          expect(await redis.client.keys('sess:*'), 'static files stay after the session, yet no empty session').toEqual([]);
        },
      },
    ],
  },
];

describe("When it doesn't work", () => {
  it('has a case here for every row of every table, and a row for every case', async () => {
    const rows = await troubleshootingRows();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(cases.filter((c) => row.cells[0]!.includes(c.row)), `${row.deck}: ${row.cells[0]}`).toHaveLength(1);
      expect(row.cells, `${row.deck}: a row is You see | Because | Fix`).toHaveLength(3);
    }
    for (const c of cases) expect(rows.filter((row) => row.cells[0]!.includes(c.row)), c.row).toHaveLength(1);
  });

  it.each(cases)('$row: the learner sees what the row says, and its fix passes verify', async (c) => {
    const row = (await troubleshootingRows()).find((r) => r.cells[0]!.includes(c.row))!;
    const seen: string[] = [];
    for (const mistake of c.mistakes) {
      const dir = await fixtureApp(mistake.fixture);
      const saw = await mistake.see(dir);
      // An "a, or b" row: each mistake shows one of them at least.
      expect(quoted(row.cells[0]!).some((q) => saw.includes(q)) || quoted(row.cells[0]!).length === 0, `${mistake.fixture}:\n${saw}`).toBe(true);
      seen.push(saw);
      await applyFix(dir, mistake.fix);
      await mistake.fixed?.(dir);
      await expectVerifyPasses(dir);
    }
    for (const q of quoted(row.cells[0]!)) expect(seen.join('\n'), `the learner sees ${q}`).toContain(q);
  }, 90_000);
});
