// The parser on the seed deck, the format's reference: every slide, every
// directive, every heading class, each with the deck line it came from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSlideIn, parseDeck, type Directive } from '../runner/deck/parse.ts';

const seed = readFileSync(join(import.meta.dirname, 'fixtures', 'seed-deck.md'), 'utf8');
const seedLines = seed.split('\n');

describe('parseDeck on the seed deck', () => {
  const slides = parseDeck(seed);
  const directives = slides.flatMap((s) => s.blocks.filter((b): b is Directive => b.kind === 'directive'));

  it('finds its 16 slides, each starting on the line after its ---', () => {
    expect(slides).toHaveLength(16);
    expect(slides.map((s) => s.number)).toEqual([...Array(16).keys()].map((i) => i + 1));
    for (const s of slides.slice(1)) expect(seedLines[s.line - 2]).toBe('---');
    expect(slides[0]!.line).toBe(1);
  });

  it('recognises every directive, with its line and attributes', () => {
    expect(slides.flatMap((s) => s.blocks).filter((b) => b.kind === 'unknown')).toEqual([]);
    expect(directives.filter((d) => d.name === 'code')).toHaveLength(7);
    expect(directives.filter((d) => d.name === 'term')).toHaveLength(4);
    for (const d of directives) {
      expect(seedLines[d.line - 1]).toBe(d.raw);
      expect(d.errors).toEqual([]);
    }
    const cookieParser = directives.find((d) => d.attrs.lines === '15-25');
    expect(cookieParser).toMatchObject({
      name: 'code',
      attrs: { src: 'node/auth-workshop/step3/app.js', highlight: '6:*', lines: '15-25' },
    });
    expect(seedLines[cookieParser!.line - 1]).toContain("lines='15-25'");
  });

  it('reads heading classes and raw HTML as they are written', () => {
    const wikipedia = slides[2]!;
    expect(wikipedia.headings.filter((h) => h.classes.includes('center')).map((h) => [h.depth, h.text])).toEqual([
      [3, 'Thanks, Wikipedia'],
      [4, '(ps, "Donate" - Jimmy Wales\' face)'],
    ]);
    const html = wikipedia.blocks.find((b) => b.kind === 'markdown');
    expect(html?.kind === 'markdown' && html.text).toContain('<img src="img/wales-jimmy.jpg"');
    expect(slides[3]!.title).toBe('Using connect-redis');
    expect(slides[13]!.classes).toEqual(['center']);
  });

  it('names slides by their headings, and finds them by heading', () => {
    expect(slides[6]!.title).toBe('app.js: Require connect-redis and set it up for express');
    expect(findSlideIn(slides, 'Start your app!')).toBe(14);
    expect(findSlideIn(slides, 'connect to REDIS')).toBe(16);
    expect(findSlideIn(slides, 'No such slide')).toBeUndefined();
  });
});

describe('parseDeck edge cases', () => {
  it('keeps --- and directives inside fenced code as text', () => {
    const slides = parseDeck("# A\n```\n---\ncode src='x.js'\n```\n---\n# B\n");
    expect(slides).toHaveLength(2);
    expect(slides[0]!.blocks).toEqual([{ kind: 'markdown', text: "# A\n```\n---\ncode src='x.js'\n```", line: 1 }]);
    expect(slides[1]!.line).toBe(7);
  });

  it('reports a directive it does not know, and an attribute it does not know', () => {
    const [slide] = parseDeck("# A\nvideo src='x.mp4'\ncode src='a.js' colour='red'\n");
    expect(slide!.blocks[1]).toMatchObject({ kind: 'unknown', name: 'video', line: 2 });
    expect(slide!.blocks[2]).toMatchObject({ kind: 'directive', name: 'code', line: 3 });
    expect((slide!.blocks[2] as Directive).errors[0]).toMatch(/unknown attribute "colour"/);
  });

  it('reports a directive cut short (an unclosed quote) instead of showing it as text, keeping its whole pairs', () => {
    const [slide] = parseDeck("# A\ncode src='a.js' lines='3-\nCode is code.\n");
    expect(slide!.blocks[1]).toMatchObject({ kind: 'directive', name: 'code', line: 2, attrs: { src: 'a.js' } });
    expect((slide!.blocks[1] as Directive).errors).toEqual(["code: the line does not parse (write name='value' pairs, each quote closed)"]);
    expect(slide!.blocks[2]).toMatchObject({ kind: 'markdown', text: 'Code is code.' });
  });

  it('accepts CRLF line ends and double quotes', () => {
    const [a, b] = parseDeck('# A\r\n---\r\nterm src="term/x.txt"\r\n');
    expect(a!.title).toBe('A');
    expect(b!.blocks[0]).toMatchObject({ name: 'term', attrs: { src: 'term/x.txt' }, line: 3 });
  });
});
