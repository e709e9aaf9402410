// The deck lint: every problem a render would hit (a missing file, a range
// or highlight outside its file, a missing asset, an unknown directive),
// found without a browser, with the deck's file and line.
import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { steps, workshop } from '../steps.ts';
import { diskFiles } from './files.ts';
import { renderDeck, renderDeckText, slidesDirOf, type RenderOptions } from './render.ts';
import type { Problem } from './problem.ts';

const byPlace = (a: Problem, b: Problem) => a.file.localeCompare(b.file) || a.line - b.line;

/** Problems in the given deck files (absolute paths). */
export function lintDeckFiles(paths: readonly string[], options: RenderOptions = {}): Problem[] {
  const files = options.files ?? diskFiles;
  return paths
    .flatMap((path) => {
      const text = files.read(path)?.toString('utf8');
      if (text === undefined) return [{ file: relative(options.root ?? workshop().root, path), line: 1, message: 'the deck cannot be read' }];
      return renderDeckText(text, path, options).problems;
    })
    .sort(byPlace);
}

/**
 * Every step's deck, and any other deck in slides/: each must render
 * cleanly, and a step's deck ends with its "Your turn" slide.
 */
export function lintDecks(options: RenderOptions = {}): Problem[] {
  const dir = slidesDirOf(options);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const step of steps()) {
    const deck = renderDeck(step, options);
    seen.add(basename(step.deck));
    problems.push(...deck.problems);
    const last = deck.slides.at(-1);
    if (last && !/^your turn\b/i.test(last.title)) {
      problems.push({ file: deck.file, line: last.line, message: 'a step\'s deck ends with a "Your turn" slide' });
    }
  }
  let others: string[] = [];
  try {
    others = readdirSync(dir).filter((f) => f.endsWith('.md') && !seen.has(f) && f !== 'README.md');
  } catch {
    // no slides/ at all: each step's deck is already reported missing
  }
  problems.push(...lintDeckFiles(others.map((f) => join(dir, f)), options));
  return problems.sort(byPlace);
}
