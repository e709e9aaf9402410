// The deck engine's public face, for the CLI commands and the web UI.
import { diskFiles } from './files.ts';
import { findSlideIn, parseDeck } from './parse.ts';
import { deckPathOf, type RenderOptions } from './render.ts';

export { parseDeck, findSlideIn, type Slide, type Block, type Directive, type Heading } from './parse.ts';
export { renderDeck, renderDecks, renderDeckText, deckPathOf, type RenderOptions, type RenderedDeck, type RenderedSlide } from './render.ts';
export { lintDecks, lintDeckFiles } from './lint.ts';
export { exportDecks, type ExportResult } from './export.ts';
export { deckCss, deckPage, assetContentType } from './page.ts';
export { formatProblem, type Problem } from './problem.ts';

/**
 * The number of the slide in a step's deck with a heading `heading`
 * (case and markdown ignored), so hint links like `step3#17` stay true:
 * `findSlide('step3', "When it doesn't work")`.
 */
export function findSlide(step: string, heading: string, options: RenderOptions = {}): number | undefined {
  const path = deckPathOf(step, options);
  const text = path ? (options.files ?? diskFiles).read(path)?.toString('utf8') : undefined;
  return text === undefined ? undefined : findSlideIn(parseDeck(text), heading);
}
