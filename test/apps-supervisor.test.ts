// The app supervisor with real apps: it starts `node <entry>` on its port,
// restarts on a save (once per burst, not for swap files), says plainly when
// an app crashes or never listens, and leaves nothing running.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SupervisedApp, type AppStatus } from '../runner/apps.ts';
import { freePort } from '../runner/process/ports.ts';
import { steps } from '../runner/steps.ts';
import { isRunning } from './helpers/process-table.ts';
import { waitFor, workshopSandbox } from './helpers/workshop-runner.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function supervised(files?: Record<string, string>) {
  const box = await workshopSandbox(steps()[0]!.dir);
  if (files) for (const [name, text] of Object.entries(files)) await writeFile(join(box.workspace, name), text);
  const app = new SupervisedApp({ id: 'workspace', dir: box.workspace, port: await freePort(), listenTimeoutMs: 3000, debounceMs: 300 });
  const seen: AppStatus[] = [];
  app.on('status', (s: AppStatus) => seen.push(s));
  cleanups.push(() => rm(box.root, { recursive: true, force: true }), () => app.dispose());
  return { app, box, seen };
}

const body = async (url: string) => (await fetch(url)).text();

describe('SupervisedApp', () => {
  it('starts the app on its port and restarts it once after a burst of saves', async () => {
    const { app, box } = await supervised();
    await app.start();
    expect(app.status.state).toBe('running');
    expect(await body(app.status.url)).toContain('<h1>');
    expect(app.status.starts).toBe(1);

    // An editor's save: a swap file, then three writes in quick succession.
    await writeFile(join(box.workspace, '.app.js.swp'), 'x');
    const index = join(box.workspace, 'views', 'index.pug');
    const pug = await readFile(index, 'utf8');
    for (let i = 0; i < 3; i++) await writeFile(index, pug.replace(/h1= title/, `h1 Saved ${i}`));
    await waitFor('the restart after the save', async () => app.status.state === 'running' && app.status.starts === 2 && (await body(app.status.url)).includes('Saved 2'));
    // A later save of another file restarts it once more. Changes are noticed in order, so had the burst
    // or the swap file caused a restart of its own, it would show before this one: no sleep needed.
    await writeFile(join(box.workspace, 'views', 'later.pug'), 'p later');
    await waitFor('the restart after the later save', () => app.status.state === 'running' && app.status.starts >= 3);
    expect(app.status.starts).toBe(3);
    expect(app.log.filter((l) => l.stream === 'runner' && l.text.includes('changed')).map((l) => l.text)).toEqual([
      expect.stringContaining('index.pug changed'),
      expect.stringContaining('later.pug changed'),
    ]);
  });

  it('says the app crashed, with its error in the log, and recovers on the next save', async () => {
    const { app, box } = await supervised({ 'app.js': "throw new Error('boom at line 1');\n" });
    await app.start();
    await waitFor('the crash', () => app.status.state === 'crashed');
    expect(app.status.message).toMatch(/exited with code 1/);
    expect(app.log.map((l) => l.text).join('\n')).toContain('boom at line 1');
    await cp(join(steps()[0]!.dir, 'app.js'), join(box.workspace, 'app.js'));
    await waitFor('the recovery', () => app.status.state === 'running');
  });

  it('says when the app never listens on PORT', async () => {
    const { app } = await supervised({ 'app.js': 'setInterval(() => {}, 1000);\n' });
    await app.start();
    expect(app.status.state).toBe('not-listening');
    expect(app.status.message).toMatch(/did not listen on PORT/);
  });

  it('reports a missing app folder in one sentence', async () => {
    const app = new SupervisedApp({ id: 'solution', dir: '/nonexistent/app', port: await freePort() });
    cleanups.push(() => app.dispose());
    await app.start();
    expect(app.status.state).toBe('missing');
    expect(app.status.message).toMatch(/no readable package\.json/);
  });

  it('leaves no process behind when disposed', async () => {
    const { app } = await supervised();
    await app.start();
    const child = (app as unknown as { child?: { pid: number } }).child;
    expect(child && isRunning(child.pid)).toBe(true);
    await app.dispose();
    expect(isRunning(child!.pid)).toBe(false);
    await expect(fetch(app.status.url)).rejects.toThrow();
  });
});
