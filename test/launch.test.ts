// runner/launch.js: the commands run from a build of the TypeScript that is
// made once, and again as soon as a source file changes; a source that does
// not compile is one message naming its file and line.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { workshopCopy } from './helpers/workshop-copy.ts';

const help = (root: string) => execa(process.execPath, ['runner/launch.js', 'verify', '--help'], { cwd: root, reject: false });

describe('the launcher', () => {
  it('builds on first use, reuses the build, and builds again when a source changes', async () => {
    const copy = await workshopCopy();
    try {
      const cli = join(copy.root, 'runner', 'cli.ts');
      const first = await help(copy.root);
      expect(first.exitCode).toBe(0);
      expect(first.stdout).toContain('workshop verify <step>');
      const built = await buildOf(copy.root);
      expect((await help(copy.root)).exitCode).toBe(0);
      expect(await buildOf(copy.root), 'an unchanged source reuses the build').toBe(built);

      await writeFile(cli, (await readFile(cli, 'utf8')).replace("'Usage:'", "'Usage (edited):'"));
      const edited = await help(copy.root);
      expect(edited.stdout).toContain('Usage (edited):');
      expect(await buildOf(copy.root)).not.toBe(built);

      await writeFile(cli, `${await readFile(cli, 'utf8')}\nconst broken = ;\n`);
      const broken = await help(copy.root);
      expect(broken.exitCode).toBe(1);
      expect(broken.stderr).toMatch(/^The workshop runner cannot be built:\n {2}runner\/cli\.ts:\d+: /);
    } finally {
      await copy.dispose();
    }
  }, 60_000);
});

/** The build the copy's launcher would run now, from its manifest. */
async function buildOf(root: string): Promise<string> {
  const { stdout } = await execa('sh', ['-c', 'cat runner/node_modules/.cache/workshop-build/*/manifest.json'], { cwd: root });
  return (JSON.parse(stdout) as { dir: string }).dir;
}
