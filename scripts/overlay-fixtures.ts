// Turns fixtures that are whole copies of their step's solution into overlays
// of it (docs/authoring.md, "Overlay fixtures"): every file byte-identical to
// the solution's goes, a file of the solution the fixture lacks is listed in
// "remove", and verdict.json gets "base". Files that differ stay as they are.
//
//   node --import tsx scripts/overlay-fixtures.ts test/fixtures/apps/s5-*   (--dry: say, change nothing)
//
// Then run `npm run workshop -- check-content`: every verdict must be the same.
// Keep whole an app written differently on purpose; the script says how much
// of each fixture matches its solution, and converts none with less than half.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadDescription } from '../runner/description.ts';

const args = process.argv.slice(2);
const dry = args.includes('--dry');
const dirs = args.filter((a) => a !== '--dry').map((a) => resolve(a));
if (!dirs.length) {
  console.error('Usage: node --import tsx scripts/overlay-fixtures.ts [--dry] FIXTURE_DIR...');
  process.exit(2);
}
const workshop = loadDescription(resolve(import.meta.dirname, '..'));

const files = (dir: string, base = dir, out: string[] = []): string[] => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) files(path, base, out);
    else out.push(relative(base, path));
  }
  return out.sort();
};

let failed = false;
for (const dir of dirs) {
  const name = relative(workshop.root, dir);
  const file = join(dir, 'verdict.json');
  if (!existsSync(file)) {
    console.log(`${name}: no verdict.json, left as it is.`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  const verdict = JSON.parse(text) as { step?: string; base?: string };
  if (verdict.base !== undefined) {
    console.log(`${name}: already an overlay of ${verdict.base}.`);
    continue;
  }
  const step = workshop.steps.find((s) => s.name === verdict.step);
  if (!step) {
    console.error(`${name}: its step "${verdict.step}" is not in workshop.json.`);
    failed = true;
    continue;
  }
  const base = relative(workshop.root, step.dir);
  const own = files(dir).filter((f) => f !== 'verdict.json');
  const theirs = files(step.dir);
  const same = own.filter((f) => existsSync(join(step.dir, f)) && readFileSync(join(step.dir, f)).equals(readFileSync(join(dir, f))));
  const remove = theirs.filter((f) => !own.includes(f));
  if (same.length * 2 < theirs.length) {
    console.log(`${name}: left whole, only ${same.length} of the ${theirs.length} files of ${base} are the same.`);
    continue;
  }
  // "base" (and "remove") right after "step", in the file's own layout.
  const at = /("step"\s*:\s*"[^"]*"\s*,)(\s*)/.exec(text);
  if (!at) {
    console.error(`${name}: verdict.json has no "step" followed by another key; add "base": "${base}" by hand.`);
    failed = true;
    continue;
  }
  const gap = at[2]!;
  const removeText = remove.length ? `"remove": [${remove.map((f) => JSON.stringify(f)).join(', ')}],${gap}` : '';
  const next = text.replace(at[0], `${at[1]}${gap}"base": ${JSON.stringify(base)},${gap}${removeText}`);
  console.log(
    `${name}: an overlay of ${base}: ${same.length} identical files ${dry ? 'would go' : 'removed'}, keeps ${own.length - same.length}` +
      `${own.length > same.length ? ` (${own.filter((f) => !same.includes(f)).join(', ')})` : ''}${remove.length ? `, removes ${remove.join(', ')}` : ''}.`,
  );
  if (dry) continue;
  for (const f of same) rmSync(join(dir, f));
  for (const f of same) {
    for (let d = dirname(join(dir, f)); d !== dir && existsSync(d) && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
  }
  writeFileSync(file, next);
}
process.exit(failed ? 1 : 0);
