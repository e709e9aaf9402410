// `npm run workshop -- export <dir>`: every deck as a self-contained page.
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';

// Short when under the current directory, absolute otherwise.
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};
import pc from 'picocolors';
import { exportDecks, ExportRefused } from '../deck/export.ts';
import { formatProblem } from '../deck/problem.ts';

export async function run(args: string[]): Promise<number> {
  if (args.length !== 1 || !args[0] || args[0].startsWith('-')) {
    console.error('Name one directory to write the slides to: npm run workshop -- export <dir>');
    return 2;
  }
  const dir = resolve(args[0]);
  try {
    if (!statSync(dir).isDirectory()) {
      console.error(`${args[0]} is a file, not a directory: name a directory to write the slides to.`);
      return 2;
    }
  } catch {
    // missing: it will be created
  }
  try {
    const result = exportDecks(dir);
    if (result.problems.length) {
      for (const p of result.problems) console.error(formatProblem(p));
      console.error(pc.red(`Nothing written: the decks have ${result.problems.length} problem(s) to fix first.`));
      return 1;
    }
    for (const file of result.written) console.log(shown(file));
    console.log(pc.green(`Wrote ${result.written.length} pages; open ${shown(resolve(dir, 'index.html'))} in a browser.`));
    return 0;
  } catch (err) {
    if (err instanceof ExportRefused) {
      console.error(err.message);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'ENOTDIR' || e.code === 'EEXIST') {
      console.error(`Cannot write to ${args[0]} (${e.code}): choose a directory you can write to.`);
      return 2;
    }
    throw err;
  }
}
