// The lint over the real decks is part of `npm test`: a deck that names a
// missing file, a range outside its file or a missing asset fails the suite.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { lintDecks, renderDecks } from '../runner/deck/index.ts';
import { repoRoot } from './helpers/repo.ts';
import { steps } from '../runner/steps.ts';

const cli = (...args: string[]) =>
  execa('node', [join(repoRoot, 'runner', 'launch.js'), ...args], { cwd: repoRoot, reject: false, env: { NO_COLOR: '1' } });

describe('the decks', () => {
  it('have no problems', () => {
    expect(lintDecks()).toEqual([]);
  });

  it('each end with "Your turn" and the verify command', () => {
    for (const deck of renderDecks()) {
      const last = deck.slides.at(-1)!;
      expect(last.title).toMatch(/^Your turn/);
      expect(last.html).toContain(`npm run verify ${deck.name}`);
    }
  });
});

describe('npm run workshop -- lint', () => {
  it('exits 0 and says the decks are fine', async () => {
    const result = await cli('lint');
    expect(result.stdout).toContain(`The ${steps().length} decks are fine.`);
    expect(result.exitCode).toBe(0);
  });

  it('is a usage error with arguments', async () => {
    const result = await cli('lint', 'step3');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^lint takes no arguments/);
  });
});
