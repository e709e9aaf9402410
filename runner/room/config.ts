// The room a learner joined, kept in .workshop/room.json (readable by its
// owner alone: the URL may hold a password), and the slide the page shows
// last (.workshop/room-slide), so a verify from the terminal reports it too.
// `join` writes the file, `leave` removes it; nothing reports without it.
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdirSync, unlinkSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cleanText, limits } from './entry.ts';
import { workshopRoot } from '../paths.ts';

export interface RoomConfig {
  /** redis:// or rediss://, with a user and password when the room has them. */
  url: string;
  /** The display name, as the learner gave it. */
  name: string;
  /** A random id, kept across joins, so the instructor sees one row per learner. */
  learner: string;
  /** The stream's key. */
  key: string;
}

export class RoomError extends Error {
  override name = 'RoomError';
}

const file = (stateDir: string) => join(stateDir, 'room.json');

/** The URL checked: redis:// or rediss://, a host; one sentence and the way forward otherwise. */
export function checkRoomUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RoomError(`"${cleanText(text, 80)}" is not a Redis URL: give one like redis://room.example.com:6379 (or rediss://learners:PASSWORD@host:6380), as the instructor wrote it.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RoomError(`A room is a Redis URL starting with redis:// or rediss://, not ${url.protocol}//: ask the instructor for the room's URL.`);
  }
  if (!url.hostname) throw new RoomError('The room\'s URL names no host: give one like redis://room.example.com:6379.');
  return url;
}

/** The address to show: host and port, never the user or password. */
export function roomHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol === 'rediss:' ? 'rediss' : 'redis'}://${u.host}`;
  } catch {
    return 'the room';
  }
}

/** The display name checked: one line of up to 40 characters, not empty. */
export function checkName(text: unknown): string {
  const name = cleanText(text, limits.name);
  if (!name) throw new RoomError('Give the name the instructor will see, e.g. --name "Ada L."');
  return name;
}

/** The stream of this workshop's room: the workshop's package name, or its folder's name. */
export function roomKey(root = workshopRoot()): string {
  let name = '';
  try {
    name = String((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }).name ?? '');
  } catch {
    // no package.json: the folder's name
  }
  if (!name) name = root.split(/[\\/]/).filter(Boolean).at(-1) ?? 'workshop';
  return `workshop-room:${name.replace(/[^\w.@/-]/g, '_').slice(0, 100)}`;
}

export function readRoom(stateDir: string): RoomConfig | undefined {
  try {
    const data = JSON.parse(readFileSync(file(stateDir), 'utf8')) as Partial<RoomConfig>;
    if (typeof data.url !== 'string' || typeof data.name !== 'string' || typeof data.learner !== 'string' || typeof data.key !== 'string') return undefined;
    return { url: data.url, name: data.name, learner: data.learner, key: data.key };
  } catch {
    return undefined;
  }
}

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Remembers the room; the learner's id is kept from an earlier join. */
export function writeRoom(stateDir: string, room: Omit<RoomConfig, 'learner'> & { learner?: string }): RoomConfig {
  const learner = room.learner ?? readRoom(stateDir)?.learner ?? randomBytes(12).toString('base64url');
  const config = { url: room.url, name: room.name, learner, key: room.key };
  mkdirSync(stateDir, { recursive: true });
  writePrivate(file(stateDir), `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

/** Forgets the room; true when there was one. */
export function forgetRoom(stateDir: string): boolean {
  try {
    unlinkSync(file(stateDir));
    return true;
  } catch {
    return false;
  }
}

/** The slide the page showed last, `step3/7`, or ''. */
export function readSlide(stateDir: string): string {
  try {
    const text = readFileSync(join(stateDir, 'room-slide'), 'utf8').trim();
    return /^[\w.-]{1,40}\/\d{1,4}$/.test(text) ? text : '';
  } catch {
    return '';
  }
}

export function writeSlide(stateDir: string, slide: string): void {
  try {
    writeFileSync(join(stateDir, 'room-slide'), `${slide}\n`);
  } catch {
    // an unwritable state folder: the terminal's reports go without the slide
  }
}
