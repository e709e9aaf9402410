import { describe, expect, it } from 'vitest';
import pc from 'picocolors';
import { diffSnapshots, formatDiff, summary } from '../runner/workspace/diff.ts';
import type { Snapshot } from '../runner/workspace/tree.ts';

const file = (s: string | Buffer) => ({ kind: 'file' as const, data: Buffer.from(s) });
const snap = (files: Record<string, string | Buffer>): Snapshot => new Map(Object.entries(files).map(([p, s]) => [p, file(s)]));
const plain = pc.createColors(false);
const colour = pc.createColors(true);

describe('diffSnapshots', () => {
  const ours = snap({ 'app.js': 'a\nb\nc\n', 'mine.txt': 'x\n', 'same.js': 'same\n' });
  const theirs = snap({ 'app.js': 'a\nB\nc\n', 'routes/index.js': 'r\n', 'same.js': 'same\n' });
  const d = diffSnapshots(ours, theirs, 'workspace', 'step2');

  it('lists changed, added (solution only) and removed (workspace only) files, not identical ones', () => {
    expect(d.identical).toBe(false);
    expect(d.files.map((f) => [f.path, f.status])).toEqual([
      ['app.js', 'changed'],
      ['mine.txt', 'removed'],
      ['routes/index.js', 'added'],
    ]);
  });

  it('gives each file a unified patch from the workspace to the solution, with counts', () => {
    const app = d.files[0]!;
    expect(app.patch).toContain('--- workspace/app.js');
    expect(app.patch).toContain('+++ step2/app.js');
    expect(app.patch).toMatch(/^-b$/m);
    expect(app.patch).toMatch(/^\+B$/m);
    expect([app.additions, app.deletions]).toEqual([1, 1]);
    const added = d.files[2]!;
    expect(added.patch).toContain('--- /dev/null');
    expect(added.patch).toMatch(/^\+r$/m);
  });

  it('says identical for identical trees', () => {
    const same = diffSnapshots(ours, ours, 'workspace', 'step1');
    expect(same.identical).toBe(true);
    expect(formatDiff(same, plain)).toBe("workspace/ is identical to step1's solution.");
  });

  it('gives binary files a status and no patch', () => {
    const b = diffSnapshots(snap({ 'x.png': Buffer.from([0, 1]) }), snap({ 'x.png': Buffer.from([0, 2]) }), 'workspace', 'step1');
    expect(b.files[0]).toMatchObject({ path: 'x.png', status: 'changed', binary: true, patch: '' });
    expect(formatDiff(b, plain)).toContain('Binary file x.png differs');
  });
});

describe('formatDiff', () => {
  const d = diffSnapshots(snap({ 'a.js': 'old\n' }), snap({ 'a.js': 'new\n', 'b.js': 'b\n' }), 'workspace', 'step3');

  it('colours additions green and deletions red when colour is on', () => {
    const out = formatDiff(d, colour);
    expect(out).toContain(colour.green('+new'));
    expect(out).toContain(colour.red('-old'));
    expect(out).toContain(colour.cyan('@@ -1,1 +1,1 @@'));
  });

  it('has no escape codes when colour is off, and ends with a summary', () => {
    const out = formatDiff(d, plain);
    expect(out).not.toContain('\u001b[');
    expect(out).not.toContain('Index:');
    expect(out.trimEnd().split('\n').pop()).toBe('2 files differ: 1 changed, 1 only in step3.');
    expect(summary(d)).toBe('2 files differ: 1 changed, 1 only in step3.');
  });
});
