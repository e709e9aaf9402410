// The deck engine's speed: how long rendering every deck takes.
//
// cold: fresh `node --import tsx` processes import the engine (marked,
//       highlight.js and its languages) and render all decks once; timed
//       inside the child from just before the import, so Node's own start
//       is not counted but everything the first render needs is.
// warm: in this process, the median of `runs` renders of all decks after
//       a first one (files are read again each time, as the web UI does).
import { execa } from 'execa';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../test/helpers/repo.ts';
import { summarize, type Summary } from './stats.ts';

export interface DeckBench {
  /** The first render in a fresh process, highlighter included, in ms. */
  cold: Summary;
  /** Rendering every deck again in a warm process, in ms. */
  warm: Summary;
  decks: number;
  slides: number;
}

/** Runs in the child: import, render everything once, print the time. */
async function coldChild(): Promise<void> {
  const start = performance.now();
  const { renderDecks } = await import('../runner/deck/render.ts');
  const decks = renderDecks();
  const ms = performance.now() - start;
  if (decks.some((d) => d.problems.length)) throw new Error('the decks have problems: run npm run workshop -- lint');
  process.stdout.write(JSON.stringify({ coldMs: ms }) + '\n');
}

export async function benchDeck(runs: number, coldRuns = 5): Promise<DeckBench> {
  const cold: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const child = await execa('node', ['--import', 'tsx', fileURLToPath(import.meta.url), '--cold'], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    cold.push((JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { coldMs: number }).coldMs);
  }

  const { renderDecks } = await import('../runner/deck/render.ts');
  const first = renderDecks();
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const t = performance.now();
    renderDecks();
    times.push(performance.now() - t);
  }
  return {
    cold: summarize(cold),
    warm: summarize(times),
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
