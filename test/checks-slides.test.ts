// Every slide a check points to exists, and is the slide about what the
// check teaches: its heading names the title's subject (the part before
// the colon). Slide 1 is the text before the first `---` line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slidesDir } from '../runner/paths.ts';
import { slides } from '../checks/slides.ts';
import { checksFor } from '../checks/verify.ts';
import { steps } from '../runner/steps.ts';

function deck(name: string): string[] | undefined {
  const file = join(slidesDir, `${name}.md`);
  return existsSync(file) ? readFileSync(file, 'utf8').split(/^---\s*$/m) : undefined;
}

const normal = (text: string) => text.replace(/[`*_]|<br>/g, '').replace(/\s+/g, ' ').toLowerCase();

describe('slide references', () => {
  it.each(Object.entries(slides))('%s points at the slide that teaches it', (_name, ref) => {
    const slidesOfDeck = deck(ref.deck);
    if (!slidesOfDeck) return; // the deck is not written yet
    expect(ref.slide).toBeGreaterThanOrEqual(1);
    expect(ref.slide, `${ref.deck}.md has ${slidesOfDeck.length} slides`).toBeLessThanOrEqual(slidesOfDeck.length);
    const subject = normal(ref.title.split(':')[0] ?? ref.title);
    const headings = (slidesOfDeck[ref.slide - 1] ?? '').split('\n').filter((l) => l.startsWith('#')).join('\n');
    expect(normal(headings)).toContain(subject);
  });

  it('every check names a slide of its own step or an earlier one', () => {
    for (const step of steps) {
      for (const check of checksFor(step)) {
        expect(Number(check.slide.deck.slice(4)), check.id).toBeLessThanOrEqual(step.number);
      }
    }
  });
});
