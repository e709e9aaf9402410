// A copy of the workshop in a temporary folder, for tests that change its
// own files (a deck, a step folder, the runner's source).
import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { repoRoot } from './repo.ts';

/**
 * A copy of the workshop itself (runner, checks, steps, slides), so a test
 * can break a deck or remove a step folder without touching the real ones.
 * Its node_modules links each package of ours, but not the deck cache, and
 * its engine (`workshop-runner` and the `workshop` bin) is the copy's runner/.
 */
export async function workshopCopy(): Promise<{ root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'workshop-copy-'));
  for (const part of ['runner', 'checks', 'steps', 'slides', 'package.json', 'tsconfig.json', 'workshop.json']) {
    // Not runner/node_modules: the engine's build cache is the copy's own.
    await cp(join(repoRoot, part), join(root, part), { recursive: true, filter: (from) => !from.split(sep).includes('node_modules') });
  }
  await mkdir(join(root, 'node_modules', '.bin'), { recursive: true });
  for (const name of await readdir(join(repoRoot, 'node_modules'))) {
    if (!['.cache', '.bin', 'workshop-runner'].includes(name)) await symlink(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  // The engine is the copy's own runner/, as npm links a workspace.
  await symlink('../runner', join(root, 'node_modules', 'workshop-runner'));
  await symlink('../workshop-runner/launch.js', join(root, 'node_modules', '.bin', 'workshop'));
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}
