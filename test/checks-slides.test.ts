// Checks link the slide that teaches them by deck and heading; the engine
// finds the slide's number in the deck when checks run. Every link of this
// workshop lands on exactly one slide, about what the check teaches; a link
// that lands nowhere is a lint problem, and a report still names it.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSlideLinks, slideResolver } from '../runner/verify/slide-links.ts';
import { slides } from '../checks/slides.ts';
import { checksFor } from '../runner/verify/verify.ts';
import { loadDescription } from '../runner/description.ts';
import { steps, workshop } from '../runner/steps.ts';

describe('slide links', () => {
  const resolver = slideResolver(workshop());

  it.each(Object.entries(slides))('%s lands on one slide, whose title is the link', (_name, link) => {
    expect(resolver.problem(link)).toBeUndefined();
    const ref = resolver.ref(link);
    expect(ref.slide).toBeGreaterThanOrEqual(1);
    expect(ref.file).toBe(`slides/${link.deck}.md`);
  });

  it('every check links a slide of its own step or an earlier one, and the lint finds nothing', async () => {
    for (const step of steps()) {
      for (const check of await checksFor(step)) {
        const deckStep = steps().find((s) => s.name === check.slide.deck);
        expect(deckStep?.number, check.id).toBeLessThanOrEqual(step.number);
      }
    }
    expect(await lintSlideLinks(workshop())).toEqual([]);
  });

  it('follows its slide when slides are added before it, and the lint names a heading that is gone', async () => {
    const root = await mkdtemp(join(tmpdir(), 'slide-links-'));
    try {
      for (const dir of ['slides']) await cp(join(workshop().root, dir), join(root, dir), { recursive: true });
      await cp(join(workshop().root, 'workshop.json'), join(root, 'workshop.json'));
      const copy = loadDescription(root);
      const deck = join(root, 'slides', 'step3.md');
      const before = slideResolver(copy).ref(slides.whenItDoesntWork).slide;
      // Two new slides at the top of the deck.
      const text = await readFile(deck, 'utf8');
      await writeFile(deck, text.replace(/^---$/m, '---\n\n## A new slide\n\n---\n\n## Another\n\n---'));
      expect(slideResolver(copy).ref(slides.whenItDoesntWork).slide).toBe(before + 2);
      // The heading renamed: the link lands nowhere, and says so.
      await writeFile(deck, text.replace("## When it doesn't work", '## Troubleshooting'));
      const gone = slideResolver(copy);
      expect(gone.ref(slides.whenItDoesntWork)).toMatchObject({ slide: 0, title: "When it doesn't work" });
      expect(gone.problem(slides.whenItDoesntWork)).toBe("names the slide “When it doesn't work”, which slides/step3.md does not have");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('calls a heading two slides share ambiguous', () => {
    expect(resolver.problem({ deck: 'step3', heading: 'Add a quick visits counter to our index' })).toMatch(/heading of slides \d+ and \d+ of slides\/step3\.md: name one by its title/);
    expect(resolver.problem({ deck: 'step9', heading: 'x' })).toMatch(/no step of the workshop/);
  });
});
