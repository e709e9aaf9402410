// The token that lets the learner, and only the learner, into their runner.
// It is kept in .workshop/token, readable by its owner alone, so a restarted
// runner keeps it: a page left open reconnects, a reload still works. A file
// anyone else could read, or that another user owns, is not trusted: a new
// token replaces it. The browser is opened on a file of the same kind (as
// Jupyter does), because a URL on a command line is seen by every user of
// the machine (`ps`), for as long as a browser started with it runs.
import { lstatSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newToken, tokenShape } from './server/security.ts';

const privateMode = 0o600;

/** True when `file` is a regular file of ours that no one else can read or write. */
function isPrivate(file: string): boolean {
  const info = lstatSync(file, { throwIfNoEntry: false });
  if (!info?.isFile()) return false;
  if (process.platform === 'win32') return true; // no POSIX modes: the user's profile folder guards it
  return (info.mode & 0o077) === 0 && info.uid === process.getuid?.();
}

/** Writes `text` to a new file only its owner can read (never into an existing one, whose mode could be wider). */
function writePrivate(file: string, text: string): void {
  try {
    unlinkSync(file);
  } catch {
    // none yet
  }
  writeFileSync(file, text, { mode: privateMode, flag: 'wx' });
}

/** The token kept in `stateDir`, when it is private to this user and looks like one of ours. */
export function readToken(stateDir: string): string | undefined {
  const file = join(stateDir, 'token');
  try {
    if (!isPrivate(file)) return undefined;
    const kept = readFileSync(file, 'utf8').trim();
    return tokenShape.test(kept) ? kept : undefined;
  } catch {
    return undefined;
  }
}

/** The token in `stateDir`, or a new one written there; a new one in memory when the folder can't keep it. */
export function loadToken(stateDir: string): string {
  const kept = readToken(stateDir);
  if (kept) return kept;
  const token = newToken();
  try {
    mkdirSync(stateDir, { recursive: true });
    writePrivate(join(stateDir, 'token'), `${token}\n`);
  } catch {
    // An unwritable state folder: this run's token lives in memory only.
  }
  return token;
}

/** The link that lets a browser in: the runner's address with the token, once. */
export const linkFor = (url: string, token: string) => `${url}?token=${token}`;

/**
 * A page in `stateDir`, readable by its owner alone, that sends the browser
 * on to `link`: what the runner opens, so the token never sits on a command
 * line. Returns its file: URL.
 */
export function writeOpener(stateDir: string, link: string): string {
  const file = join(stateDir, 'open.html');
  // The link is ours (an http URL with a base64url token): nothing in it needs escaping, but be sure.
  const safe = link.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  writePrivate(
    file,
    `<!doctype html>\n<meta charset="utf-8">\n<meta name="referrer" content="no-referrer">\n<meta http-equiv="refresh" content="0;url=${safe}">\n<title>Opening the workshop…</title>\n<p>Opening the workshop… If nothing happens, <a href="${safe}">open it here</a>.</p>\n`,
  );
  return pathToFileURL(file).href;
}
