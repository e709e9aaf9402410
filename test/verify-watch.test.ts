// `npm run verify -- --watch`: a change under the folder runs the checks
// again, editors' swap files do not, and Ctrl-C ends it with nothing left running.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { processesWithEnv } from './helpers/process-table.ts';
import { repo, startCli, tempApp } from './helpers/verify-cli.ts';

let app: Awaited<ReturnType<typeof tempApp>> | undefined;
afterEach(async () => {
  await app?.dispose();
});

async function gone(marker: string, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = processesWithEnv(marker);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = processesWithEnv(marker);
  }
  return left.map((p) => `${p.pid} ${p.args}`);
}

it('re-runs on a change, ignores swap files, and ends cleanly on Ctrl-C', async () => {
  app = await tempApp(join(repo, 'steps/step1'));
  const marker = `VERIFY_WATCH_TEST=${randomUUID()}`;
  const run = startCli(['step1', '--dir', app.dir, '--watch'], { [marker.split('=')[0] as string]: marker.split('=')[1] });
  await run.waitFor(/5 passed, 0 failed[\s\S]*Watching for changes/);

  // An editor's own files are not a change to the app: vim's swap file and the 4913 it writes to test
  // the folder (chokidar already skips the first; the second is ours to ignore). Any of them not
  // ignored would be named in a "Changed:" line, its own or the real change's: no sleep needed.
  await writeFile(join(app.dir, 'views', '.index.pug.swp'), 'swap');
  await writeFile(join(app.dir, 'views', '4913'), '');

  const view = join(app.dir, 'views', 'index.pug');
  await writeFile(view, (await readFile(view, 'utf8')).replace('h1= title', 'h2= title'));
  await run.waitFor(/Changed: views\/index\.pug[\s\S]*4 passed, 1 failed/);
  expect(run.stdout().match(/passed, \d+ failed/g)).toHaveLength(2);
  // The editor's files caused no run of their own, nor joined the real change's.
  expect(run.stdout().match(/Changed: .*/g)).toEqual(['Changed: views/index.pug']);

  run.child.kill('SIGINT');
  const { code } = await run.done;
  expect(code).toBe(130);
  expect(run.stderr()).toBe('');
  expect(await gone(marker)).toEqual([]);
}, 60_000);
