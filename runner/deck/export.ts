// The static export: one self-contained HTML page per deck (styles, script
// and images inlined, so it opens from a file, offline, with no CDN) and an
// index page linking them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assetContentType, deckCss, deckPage, generatorMeta, pageHead } from './page.ts';
import { escapeHtml } from './highlight.ts';
import { diskFiles } from './files.ts';
import { renderDecks, type RenderOptions, type RenderedDeck } from './render.ts';
import type { Problem } from './problem.ts';
import { workshop } from '../steps.ts';

export interface ExportResult {
  /** The files written, absolute; empty when there were problems. */
  written: string[];
  problems: Problem[];
}


/** True when `path` is missing or is a page we wrote before: never overwrite anything else. */
function mayOverwrite(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(generatorMeta);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function indexPage(decks: RenderedDeck[]): string {
  const items = decks
    .map((d) => `<li><a href="${escapeHtml(d.name)}.html">${escapeHtml(d.name)}: ${escapeHtml(d.title)}</a> <small>(${d.slides.length} slides)</small></li>`)
    .join('\n');
  const { title } = workshop();
  return `${pageHead(`${title}: the slides`, `<style>${deckCss}</style>`)}
<body>
<main class="deck-index">
<h1>${escapeHtml(title)}</h1>
<p>One deck per step. In a deck, use ← and → (or Space) to move, Home and End to jump.</p>
<ol>
${items}
</ol>
</main>
</body>
</html>
`;
}

/** Writes every step's deck and an index into `outDir`, unless a deck has problems. */
export function exportDecks(outDir: string, options: RenderOptions = {}): ExportResult {
  const files = options.files ?? diskFiles;
  const inline = (_rel: string, path: string) =>
    `data:${assetContentType(path)};base64,${files.read(path)?.toString('base64') ?? ''}`;
  const decks = renderDecks({ ...options, assetUrl: inline });
  const problems = decks.flatMap((d) => d.problems);
  if (problems.length) return { written: [], problems };

  const dir = resolve(outDir);
  const pages = new Map<string, string>([['index.html', indexPage(decks)]]);
  for (const deck of decks) pages.set(`${deck.name}.html`, deckPage(deck, { indexHref: 'index.html' }));
  const blocked = [...pages.keys()].map((name) => join(dir, name)).filter((p) => !mayOverwrite(p));
  if (blocked.length) {
    throw new ExportRefused(`${blocked[0]} exists and was not written by the export; choose another directory.`);
  }
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, html] of pages) {
    writeFileSync(join(dir, name), html);
    written.push(join(dir, name));
  }
  return { written, problems: [] };
}

/** The export would overwrite a file it did not write: a usage error, not a bug. */
export class ExportRefused extends Error {}
