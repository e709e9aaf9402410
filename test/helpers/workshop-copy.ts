// A copy of the workshop in a temporary folder, for tests that change its
// own files (a deck, a step folder, the runner's source).
import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../runner/paths.ts';

/**
 * A copy of the workshop itself (runner, checks, steps, slides), so a test
 * can break a deck or remove a step folder without touching the real ones.
 * Its node_modules links each package of ours, but not the deck cache.
 */
export async function workshopCopy(): Promise<{ root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'workshop-copy-'));
  for (const part of ['runner', 'checks', 'steps', 'slides', 'package.json', 'tsconfig.json', 'workshop.json']) {
    await cp(join(repoRoot, part), join(root, part), { recursive: true });
  }
  await mkdir(join(root, 'node_modules'));
  for (const name of await readdir(join(repoRoot, 'node_modules'))) {
    if (name !== '.cache') await symlink(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}
