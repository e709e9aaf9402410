// Excerpts are live: the slides read the step's files when they render, so
// an edit to steps/step3/app.js shows on the next render, and an edit that
// moves code out from under a directive is a lint error at the deck line.
// Works on a temporary copy of steps/ and slides/, never the real ones.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSlide, formatProblem, lintDecks, renderDeck } from '../runner/deck/index.ts';
import { repoRoot } from './helpers/repo.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'deck-live-'));
  cpSync(join(repoRoot, 'steps'), join(root, 'steps'), { recursive: true });
  cpSync(join(repoRoot, 'slides'), join(root, 'slides'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const edit = (rel: string, change: (text: string) => string) => {
  const path = join(root, rel);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
};
/** The deck line of the directive that contains `text`. */
const deckLine = (deck: string, text: string) => readFileSync(join(root, 'slides', deck), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

describe('live excerpts', () => {
  it('a changed line of steps/step3/app.js changes the rendered slide', () => {
    const n = findSlide('step3', 'Configure a new session with our Redis SessionStore', { root })!;
    const before = renderDeck('step3', { root }).slides[n - 1]!.html;
    expect(before).toContain('saveUninitialized');
    expect(before).not.toContain('maxAge: 7 * 24');
    edit('steps/step3/app.js', (t) => t.replace('maxAge: 24 * 60 * 60 * 1000', 'maxAge: 7 * 24 * 60 * 60 * 1000'));
    const after = renderDeck('step3', { root });
    expect(after.problems).toEqual([]);
    expect(after.slides[n - 1]!.html).toContain('maxAge</span>: <span class="hljs-number">7</span>');
  });

  it('the lint reports a range that no longer fits its file, at the deck line', () => {
    expect(lintDecks({ root })).toEqual([]);
    // steps/step2/app.js loses its last lines: the deck's excerpt of it no longer fits.
    const deck = readFileSync(join(root, 'slides', 'step2.md'), 'utf8');
    const [, range] = /src='steps\/step2\/app\.js' lines='(\d+-\d+)'/.exec(deck) ?? [];
    expect(range).toBeDefined();
    edit('steps/step2/app.js', (t) => t.split('\n').slice(0, 15).join('\n') + '\n');
    const problems = lintDecks({ root });
    expect(problems.map(formatProblem)).toEqual([
      `slides/step2.md:${deckLine('step2.md', `lines='${range}'`)}: code steps/step2/app.js: lines="${range}" is outside the file, which has 15 lines`,
    ]);
  });

  it('the lint reports a region that is gone and a highlight past the end', () => {
    edit('steps/step3/app.js', (t) => t.replace('// #region locals', '// locals'));
    edit('steps/step3/routes/index.js', (t) => t.split('\n').slice(0, 20).join('\n'));
    const problems = lintDecks({ root });
    expect(problems).toEqual([
      {
        file: 'slides/step3.md',
        line: deckLine('step3.md', "src='steps/step3/routes/index.js'"),
        message: expect.stringContaining('highlight 22 is outside the excerpt, which has 20 lines'),
      },
      {
        file: 'slides/step3.md',
        line: deckLine('step3.md', "region='locals'"),
        message: expect.stringContaining('no "#region locals"'),
      },
    ]);
  });
});
