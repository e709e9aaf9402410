// What `npm run <script>` runs, read from package.json and the bin it names,
// so tests and the bench start the runner exactly as a learner does (the
// same file, the same Node flags from its shebang) instead of a copy of the
// command that could drift.
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo.ts';

/**
 * The arguments after `node` that package.json's script `name` amounts to:
 * `workshop verify` → the flags of the bin's shebang, the bin's file, `verify`.
 */
export function nodeArgsOf(name: string, root = repoRoot): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.[name];
  const [command, ...args] = script?.split(/\s+/) ?? [];
  if (!command) throw new Error(`package.json has no script "${name}"`);
  if (command === 'node') return args;
  const bin = realpathSync(join(root, 'node_modules', '.bin', command));
  const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const flags = /^#!\/usr\/bin\/env\s+(?:-S\s+)?node((?:\s+-\S+)*)\s*$/.exec(shebang);
  if (!flags) throw new Error(`${bin} does not start with a node shebang: ${shebang}`);
  return [...flags[1]!.trim().split(/\s+/).filter(Boolean), bin, ...args];
}
