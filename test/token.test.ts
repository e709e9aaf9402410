// The token's file: private to the learner, kept across runs, replaced when
// anyone else could have read it or when it holds something else.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { linkFor, loadToken, readToken, writeOpener } from '../runner/token.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workshop-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (name: string) => ((await stat(join(dir, name))).mode & 0o777).toString(8);

it('writes a new token readable by its owner alone, and gives the same one on the next run', async () => {
  expect(readToken(dir)).toBeUndefined();
  const token = loadToken(join(dir));
  expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(await mode('token')).toBe('600');
  expect(loadToken(dir)).toBe(token);
  expect(readToken(dir)).toBe(token);
});

it('replaces a token file others could read, or one that holds something else', async () => {
  const first = loadToken(dir);
  await chmod(join(dir, 'token'), 0o644);
  expect(readToken(dir)).toBeUndefined();
  const second = loadToken(dir);
  expect(second).not.toBe(first);
  expect(await mode('token')).toBe('600');
  await writeFile(join(dir, 'token'), 'not a token\n', { mode: 0o600 });
  const third = loadToken(dir);
  expect(third).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect((await readFile(join(dir, 'token'), 'utf8')).trim()).toBe(third);
});

it('opens the browser on a private page that forwards to the link', async () => {
  const link = linkFor('http://127.0.0.1:4000/', loadToken(dir));
  const opener = writeOpener(dir, link);
  expect(opener).toBe(`file://${join(dir, 'open.html')}`);
  expect(await mode('open.html')).toBe('600');
  expect(await readFile(join(dir, 'open.html'), 'utf8')).toContain(`<meta http-equiv="refresh" content="0;url=${link}">`);
});
