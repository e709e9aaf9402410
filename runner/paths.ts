// Where things live. The engine's own files are found from this file; the
// workshop's (its description, steps, decks) from the workshop's folder:
// the one the launcher found or `--workshop DIR` named, passed on as
// WORKSHOP_DIR (the current folder when this module is used without the
// launcher, as tests do). Tests point the workspace and the state folder
// elsewhere through the environment.
import { resolve } from 'node:path';

/** The engine's own folder: its package.json, launch.js, cli.ts. */
export const engineRoot = import.meta.dirname;

/** The folder of the workshop this process serves: where its workshop.json is. */
export function workshopRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WORKSHOP_DIR || process.cwd());
}

/** The learner's own app. */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WORKSHOP_WORKSPACE ?? resolve(workshopRoot(env), 'workspace'));
}

/** Local state: progress, backups, the managed Redis's data. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WORKSHOP_STATE ?? resolve(workshopRoot(env), '.workshop'));
}
