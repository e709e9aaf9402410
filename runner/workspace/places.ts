// Where the workspace commands act, and how they name paths to the learner.
// Shared by the lock, recovery and switching, so none of them imports
// index.ts back.
import { lstat } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { stateDir, workspaceDir } from '../paths.ts';

/** Where the workspace and the state folder are; tests point them at temporary folders. */
export interface Places {
  workspace: string;
  state: string;
}

export function places(env: NodeJS.ProcessEnv = process.env): Places {
  return { workspace: workspaceDir(env), state: stateDir(env) };
}

/** A path as the learner would type it: relative to the current folder when inside it. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export const exists = (path: string) => lstat(path).then(() => true, () => false);
