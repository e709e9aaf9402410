// A copy of test/fixtures/workshops/greetings (a workshop other than this
// repository's) in a temporary folder, for tests that change its files.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './repo.ts';
import { storeDir } from '../../runner/server/deck-store.ts';

export const greetings = join(repoRoot, 'test', 'fixtures', 'workshops', 'greetings');

export interface GreetingsCopy {
  root: string;
  /** Removes the copy, the decks a runner rendered from it and kept, and the engine's build for it. */
  dispose(): Promise<void>;
}

/**
 * Copies the greetings workshop, a package of its own, to a new temporary
 * folder (named after `prefix`), outside this repository, as an author keeps
 * a workshop: its node_modules (this repository's, linked in) holds what its
 * package.json lists, the engine as `workshop-runner` included.
 */
export async function greetingsCopy(prefix = 'greetings-'): Promise<GreetingsCopy> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  try {
    await cp(greetings, root, { recursive: true });
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return {
    root,
    async dispose() {
      await rm(root, { recursive: true, force: true });
      await rm(storeDir(root), { recursive: true, force: true });
      await rm(buildCacheOf(root), { recursive: true, force: true });
    },
  };
}

/** The engine's build for a workshop folder: runner/launch.js keeps one per engine and workshop, named by this hash. */
function buildCacheOf(workshop: string): string {
  const engine = join(repoRoot, 'runner');
  return join(engine, 'node_modules', '.cache', 'workshop-build', createHash('sha1').update(`${engine}\0${workshop}`).digest('hex').slice(0, 10));
}

/** `workshop <args>` in a workshop's folder, through its installed bin, as its author runs it. */
export function workshopIn(root: string, args: string[], env: Record<string, string> = {}) {
  return execa(join(root, 'node_modules', '.bin', 'workshop'), args, { cwd: root, reject: false, env: { NO_COLOR: '1', ...env } });
}
