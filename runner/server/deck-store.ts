// Rendered decks kept on disk between runs, so a learner's next start shows
// the first slide without loading the markdown and highlighting engines at
// all (the way Vite keeps pre-bundled dependencies in node_modules/.vite).
//
// A stored deck is used only when nothing it could depend on has changed:
// the key covers the size and mtime of every file under the workshop's
// slides, start and solution folders, and the deck engine itself. Anything odd (unreadable, other key) is a miss.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderedDeck } from '../deck/render.ts';
import { isIgnoredChange } from '../changes.ts';
import { contentFolders } from '../description.ts';
import { engineRoot } from '../paths.ts';
import { workshop } from '../steps.ts';

/** One store per workshop folder. */
export const storeDir = (root = workshop().root): string =>
  join(engineRoot, 'node_modules', '.cache', 'workshop-decks', createHash('sha1').update(root).digest('hex').slice(0, 10));
const sources = (): string[] => [...contentFolders(workshop()), join(engineRoot, 'deck')];

/** The files a rendered deck may depend on, each as `path size mtime`. */
async function fingerprints(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch {
    return [`${dir} missing`];
  }
  const kept = names.filter((n) => !isIgnoredChange(join(dir, n), dir)).sort();
  const stats = await Promise.all(kept.map((n) => stat(join(dir, n)).catch(() => undefined)));
  return kept.map((n, i) => (stats[i]?.isFile() ? `${n} ${stats[i]!.size} ${stats[i]!.mtimeMs}` : '')).filter(Boolean);
}

/** One hash for the state of every source a deck is rendered from. */
export async function sourcesKey(dirs: readonly string[] = sources()): Promise<string> {
  const hash = createHash('sha256');
  for (const list of await Promise.all(dirs.map(fingerprints))) hash.update(list.join('\n')).update('\0');
  return hash.digest('hex');
}

interface Stored {
  key: string;
  deck: RenderedDeck;
}

export async function readStoredDeck(step: string, key: string, dir = storeDir()): Promise<RenderedDeck | undefined> {
  try {
    const stored = JSON.parse(await readFile(join(dir, `${step}.json`), 'utf8')) as Stored;
    return stored.key === key && Array.isArray(stored.deck?.slides) ? stored.deck : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only node_modules only means no store. */
export async function writeStoredDeck(step: string, key: string, deck: RenderedDeck, dir = storeDir()): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${step}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ key, deck } satisfies Stored));
    await rename(tmp, file);
  } catch {
    // not stored: rendered again next time
  }
}
