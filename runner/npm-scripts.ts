// What `npm run <script>` runs, read from package.json, so tests and the
// bench start the runner exactly as a learner does (the same Node flags)
// instead of a copy of the command that could drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

/** The arguments after `node` in package.json's script `name` (`node --flag runner/launch.js workshop`). */
export function nodeArgsOf(name: string, root = repoRoot): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.[name];
  const [command, ...args] = script?.split(/\s+/) ?? [];
  if (command !== 'node') throw new Error(`package.json's script "${name}" does not start with node: ${script ?? '(missing)'}`);
  return args;
}
