// A copy of test/fixtures/workshops/greetings (a workshop other than this
// repository's) in a temporary folder, for tests that change its files.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../runner/paths.ts';
import { storeDir } from '../../runner/server/deck-store.ts';

export const greetings = join(repoRoot, 'test', 'fixtures', 'workshops', 'greetings');

export interface GreetingsCopy {
  root: string;
  /** Removes the copy, and the decks a runner rendered from it and kept. */
  dispose(): Promise<void>;
}

/**
 * Copies the greetings workshop to a new temporary folder (named after
 * `prefix`) that works where it is: its apps resolve express from the
 * engine's node_modules, and its checks import the engine from this
 * repository, not by their path relative to the fixture.
 */
export async function greetingsCopy(prefix = 'greetings-'): Promise<GreetingsCopy> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  try {
    await cp(greetings, root, { recursive: true });
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    for (const file of ['page.ts', 'api.ts']) {
      const path = join(root, 'checks', file);
      await writeFile(path, (await readFile(path, 'utf8')).replace('../../../../../checks/authoring.ts', join(repoRoot, 'checks', 'authoring.ts')));
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return {
    root,
    async dispose() {
      await rm(root, { recursive: true, force: true });
      await rm(storeDir(root), { recursive: true, force: true });
    },
  };
}
