// The deck engine's speed: how long rendering every deck takes.
//
// cold: a fresh `node --import tsx` process imports the engine (marked,
//       highlight.js and its languages) and renders all decks once; timed
//       inside the child from just before the import, so Node's own start
//       is not counted but everything the first render needs is.
// warm: in this process, the median of `runs` renders of all decks after
//       a first one (files are read again each time, as the web UI does).
import { execa } from 'execa';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../runner/paths.ts';

export interface DeckBench {
  coldMs: number;
  warmMedianMs: number;
  warmMinMs: number;
  warmMaxMs: number;
  runs: number;
  decks: number;
  slides: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Runs in the child: import, render everything once, print the time. */
async function coldChild(): Promise<void> {
  const start = performance.now();
  const { renderDecks } = await import('../runner/deck/render.ts');
  const decks = renderDecks();
  const ms = performance.now() - start;
  if (decks.some((d) => d.problems.length)) throw new Error('the decks have problems: run npm run workshop -- lint');
  process.stdout.write(JSON.stringify({ coldMs: ms }) + '\n');
}

export async function benchDeck(runs: number): Promise<DeckBench> {
  const child = await execa('node', ['--import', 'tsx', fileURLToPath(import.meta.url), '--cold'], {
    cwd: repoRoot,
    timeout: 60_000,
  });
  const { coldMs } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { coldMs: number };

  const { renderDecks } = await import('../runner/deck/render.ts');
  const first = renderDecks();
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const t = performance.now();
    renderDecks();
    times.push(performance.now() - t);
  }
  return {
    coldMs: Math.round(coldMs * 10) / 10,
    warmMedianMs: Math.round(median(times) * 100) / 100,
    warmMinMs: Math.round(Math.min(...times) * 100) / 100,
    warmMaxMs: Math.round(Math.max(...times) * 100) / 100,
    runs: times.length,
    decks: first.length,
    slides: first.reduce((n, d) => n + d.slides.length, 0),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--cold')) {
    await coldChild();
  } else {
    console.log(await benchDeck(Number(process.argv[2]) || 50));
  }
}
