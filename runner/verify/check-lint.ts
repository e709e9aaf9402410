// The checks modules' own mistakes, for `workshop -- lint` (and
// check-content): a module that cannot be built or loaded, a slide link
// that lands nowhere (slide-links.ts), an id two checks share (within a
// step or across steps: reports, needs and tests name a check by it), and a
// `needs` that names no check, or one that does not run before it (a check
// of a later step, or later in its own step): runChecks would quietly never
// skip on it. Each problem is at its line in the checks module.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Workshop } from '../description.ts';
import type { Problem } from '../deck/problem.ts';
import { lintSlideLinks } from './slide-links.ts';
import { loadStepChecks } from './step-checks.ts';

/** Every problem of the workshop's checks modules, by file and line. */
export async function lintChecks(workshop: Workshop): Promise<Problem[]> {
  return [...(await lintSlideLinks(workshop)), ...(await lintCheckIds(workshop))];
}

/** The 1-based lines of `source` where `text` appears quoted ('id' or "id" or `id`). */
function linesQuoting(source: string, text: string): number[] {
  const quoted = [`'${text}'`, `"${text}"`, `\`${text}\``];
  return source.split('\n').flatMap((l, i) => (quoted.some((q) => l.includes(q)) ? [i + 1] : []));
}

/** The lines where `id` is given as a check's id (`id: 'api.get'`), else where it is quoted at all. */
function idLines(source: string, id: string): number[] {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const given = new RegExp(`\\bid\\s*:\\s*(['"\`])${escaped}\\1`);
  const lines = source.split('\n').flatMap((l, i) => (given.test(l) ? [i + 1] : []));
  return lines.length ? lines : linesQuoting(source, id);
}

/** Ids used twice, and needs that name no check or one that runs after: at the check's line in its module. */
export async function lintCheckIds(workshop: Workshop): Promise<Problem[]> {
  const problems: Problem[] = [];
  /** Every check seen so far, in run order: its step and where its id is. */
  const seen = new Map<string, { step: string; file: string; line: number }>();
  const modules: { file: string; source: string; step: string; checks: { id: string; needs?: string[] }[] }[] = [];
  for (const step of workshop.steps) {
    const file = relative(workshop.root, step.checks);
    try {
      const { checks } = await loadStepChecks(step);
      modules.push({ file, source: readFileSync(step.checks, 'utf8'), step: step.name, checks });
    } catch {
      // Said by lintSlideLinks: the module cannot be built or loaded.
    }
  }
  // Every id of the workshop, and its step: to tell a need of a later check from one that names none.
  const stepOfId = new Map(modules.flatMap((m) => m.checks.map((c) => [c.id, m.step] as const)).reverse());
  for (const m of modules) {
    const used = new Map<string, number>();
    for (const check of m.checks) {
      const nth = used.get(check.id) ?? 0;
      used.set(check.id, nth + 1);
      const lines = idLines(m.source, check.id);
      const line = lines[nth] ?? lines[0] ?? 1;
      const first = seen.get(check.id);
      if (first) {
        const where = first.file === m.file ? `line ${first.line}` : `${first.file}:${first.line}, a check of ${first.step}`;
        problems.push({ file: m.file, line, message: `the check id "${check.id}" is used twice: it is also the id of the check at ${where} (an id names one check)` });
      }
      for (const need of check.needs ?? []) {
        if (seen.has(need)) continue; // runs before it: fine
        const needLine = linesQuoting(m.source, need).find((l) => l >= line) ?? line;
        const later = stepOfId.get(need);
        const why =
          need === check.id
            ? 'its own id: a check cannot need itself'
            : later === undefined
              ? 'which is no check of the workshop'
              : later === m.step
                ? `which runs after it in ${m.step}: a check can need only the checks that run before it`
                : `a check of a later step (${later}): a check can need only the checks of its own step or an earlier one, that run before it`;
        problems.push({ file: m.file, line: needLine, message: `check ${check.id} needs "${need}", ${why}` });
      }
      if (!first) seen.set(check.id, { step: m.step, file: m.file, line });
    }
  }
  return problems;
}
