// What the workspace commands tell the learner when they cannot go ahead:
// one error class with a code, and file-system failures put into words.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { display } from './places.ts';

/** A problem the learner can fix: the message is one sentence with the way forward, shown as is. */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly code: 'busy' | 'state-unwritable' | 'workspace-unusable' | 'unknown-backup' | 'unknown-step',
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

/** Why a file-system operation failed, in words; names the file in the way when there is one. */
export function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const at = e.path ? display(e.path) : 'a folder';
  switch (e.code) {
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = e.path ? fileInTheWay(e.path) : undefined;
      return file ? `${display(file)} is a file, not a folder` : `a file is in the way of ${at}`;
    }
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `${at} is not writable`;
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return e.message ?? String(err);
  }
}

// The nearest existing ancestor of `path` (or itself), when that is not a folder.
function fileInTheWay(path: string): string | undefined {
  for (let at = path; ; at = dirname(at)) {
    let stat;
    try {
      stat = statSync(at);
    } catch {
      // missing, or a file further up is in the way: look there
    }
    if (stat) return stat.isDirectory() ? undefined : at;
    if (at === dirname(at)) return undefined;
  }
}
