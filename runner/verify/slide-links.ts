// Slide links (a deck and a heading) → the slide a learner is shown (its
// number and title), read from the decks when checks run, so a link follows
// its slide when a deck changes. A link that lands nowhere, or on two
// slides, is a problem `workshop -- lint` reports.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Workshop } from '../description.ts';
import { normalise, parseDeck, type Slide } from '../deck/parse.ts';
import type { Problem } from '../deck/problem.ts';
import type { SlideLink, SlideRef } from './check.ts';
import { ChecksModuleError, loadStepChecks } from './step-checks.ts';

/** The slides a link names: those with a heading, or a title, equal to the link's heading (case and markdown ignored). */
export function slidesNamed(slides: readonly Slide[], heading: string): Slide[] {
  const want = normalise(heading);
  return slides.filter((s) => normalise(s.title) === want || s.headings.some((h) => normalise(h.text) === want));
}

export interface SlideResolver {
  ref(link: SlideLink): SlideRef;
  /** One sentence when the link lands on no slide, or on more than one; undefined when it is fine. */
  problem(link: SlideLink): string | undefined;
}

/** Resolves links against the workshop's decks, each read once, on first use. */
export function slideResolver(workshop: Workshop): SlideResolver {
  const decks = new Map<string, Slide[] | undefined>();
  const deckOf = (name: string) => {
    if (!decks.has(name)) {
      const step = workshop.steps.find((s) => s.name === name);
      let slides: Slide[] | undefined;
      try {
        slides = step ? parseDeck(readFileSync(step.deck, 'utf8')) : undefined;
      } catch {
        slides = undefined;
      }
      decks.set(name, slides);
    }
    return decks.get(name);
  };
  const fileOf = (name: string) => {
    const step = workshop.steps.find((s) => s.name === name);
    return step ? relative(workshop.root, step.deck) : `${name}?`;
  };
  return {
    ref(link) {
      const found = slidesNamed(deckOf(link.deck) ?? [], link.heading)[0];
      return { deck: link.deck, slide: found?.number ?? 0, title: found?.title ?? link.heading, file: fileOf(link.deck) };
    },
    problem(link) {
      if (!workshop.steps.some((s) => s.name === link.deck)) return `names the deck of "${link.deck}", which is no step of the workshop`;
      const slides = deckOf(link.deck);
      if (!slides) return `names a slide of ${fileOf(link.deck)}, which cannot be read`;
      const found = slidesNamed(slides, link.heading);
      if (!found.length) return `names the slide “${link.heading}”, which ${fileOf(link.deck)} does not have`;
      if (found.length > 1) return `names “${link.heading}”, which is the heading of slides ${found.map((s) => s.number).join(' and ')} of ${fileOf(link.deck)}: name one by its title`;
      return undefined;
    },
  };
}

/** "slides/step3.md, slide 10: routes/index.js: Add a quick visits counter" */
export function describeSlide(slide: SlideRef): string {
  return slide.slide ? `${slide.file}, slide ${slide.slide}: ${slide.title}` : `${slide.file}: ${slide.title}`;
}

/**
 * Every check's slide link that lands on no slide, or on two, as a problem
 * at the check's line in its module (for `workshop -- lint`). A module that
 * cannot be loaded is a problem too.
 */
export async function lintSlideLinks(workshop: Workshop): Promise<Problem[]> {
  const slides = slideResolver(workshop);
  const problems: Problem[] = [];
  for (const step of workshop.steps) {
    const file = relative(workshop.root, step.checks);
    let source = '';
    try {
      const { checks } = await loadStepChecks(step);
      source = readFileSync(step.checks, 'utf8');
      for (const check of checks) {
        const problem = slides.problem(check.slide);
        if (!problem) continue;
        const line = source.split('\n').findIndex((l) => l.includes(`'${check.id}'`) || l.includes(`"${check.id}"`)) + 1;
        problems.push({ file, line: line || 1, message: `check ${check.id} ${problem}` });
      }
    } catch (err) {
      // A module that does not build: each of esbuild's errors at its place (once, however many steps it breaks).
      const errors = err instanceof ChecksModuleError ? err.errors.filter((e) => e.file && e.line) : [];
      if (!errors.length) problems.push({ file, line: 1, message: (err as Error).message });
      for (const e of errors) {
        const problem = { file: e.file!, line: e.line!, message: `the checks of ${step.name} cannot be built: ${e.text}` };
        if (!problems.some((p) => p.file === problem.file && p.line === problem.line && p.message.endsWith(`: ${e.text}`))) problems.push(problem);
      }
    }
  }
  return problems;
}
