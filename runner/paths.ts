// Where things live. Everything is relative to the repository root, so the
// runner works from any current directory. Tests point the workspace and
// the state folder elsewhere through the environment.
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..');
export const stepsDir = resolve(repoRoot, 'steps');
export const slidesDir = resolve(repoRoot, 'slides');

/** The learner's own app. */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WORKSHOP_WORKSPACE ?? resolve(repoRoot, 'workspace'));
}

/** Local state: progress, backups, the managed Redis's data. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WORKSHOP_STATE ?? resolve(repoRoot, '.workshop'));
}
