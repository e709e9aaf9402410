// A run's report, and its two faces: lines for a terminal and one JSON
// object. Pure: colour is passed in (the CLI follows the terminal and
// NO_COLOR through picocolors).
import { createColors } from 'picocolors';
import type { CheckResult } from './check.ts';
import { describeSlide } from './slide-links.ts';

export interface Report {
  step: string;
  /** The app folder checked, absolute. */
  dir: string;
  checks: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Wall time of the whole run. */
  ms: number;
}

export function makeReport(step: string, dir: string, checks: CheckResult[], ms: number): Report {
  const count = (s: CheckResult['status']) => checks.filter((c) => c.status === s).length;
  return { step, dir, checks, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), ms: Math.round(ms) };
}

/** A run passes only when every check passed: a skipped check is not a pass. */
export function isPass(report: Report): boolean {
  return report.checks.length > 0 && report.passed === report.checks.length;
}

type Colors = ReturnType<typeof createColors>;

export function colors(enabled: boolean): Colors {
  return createColors(enabled);
}

const marks = { passed: '✔', failed: '✖', skipped: '–' } as const;

export function formatHeader(step: { name: string; title: string }, dir: string, c: Colors): string {
  return c.bold(`${step.name}: ${step.title}`) + c.dim(` — checking ${dir}`);
}

/** `  ✔ The app starts and listens on PORT  step1.listens  212 ms` */
export function formatLine(result: CheckResult, c: Colors): string {
  const mark = { passed: c.green, failed: c.red, skipped: c.yellow }[result.status](marks[result.status]);
  const title = result.status === 'failed' ? c.red(result.title) : result.status === 'skipped' ? c.dim(result.title) : result.title;
  const tail = result.status === 'skipped' ? 'not checked' : `${result.ms} ms`;
  return `  ${mark} ${title}  ${c.dim(`${result.id}  ${tail}`)}`;
}

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** What failed, what was seen, what to do, and where it is taught. */
export function formatFailures(report: Report, c: Colors): string {
  return report.checks
    .filter((r) => r.status === 'failed')
    .map((r) =>
      [
        `${c.red(marks.failed)} ${c.bold(r.title)}  ${c.dim(r.id)}`,
        indent(r.message),
        ...(r.hint ? [indent(`${c.cyan('Hint:')} ${r.hint}`)] : []),
        indent(c.dim(`Slide: ${describeSlide(r.slide)}`)),
      ].join('\n'),
    )
    .join('\n\n');
}

/** The last line: always agrees with the lines above it and the exit code. */
export function formatSummary(report: Report, c: Colors): string {
  const line = `${report.passed} passed, ${report.failed} failed`;
  return isPass(report) ? c.green(line) : c.red(line);
}

/** Everything after the check lines. */
export function formatEnding(report: Report, c: Colors): string {
  const parts: string[] = [];
  const failures = formatFailures(report, c);
  if (failures) parts.push('', failures);
  // A check skipped for a reason of its own (CannotCheck) says why, as a
  // failure does; one skipped for a check it needs is explained by that failure.
  const unchecked = report.checks.filter((r) => r.status === 'skipped' && !r.blockedBy);
  if (unchecked.length) {
    parts.push('', unchecked.map((r) => [`${c.yellow(marks.skipped)} ${c.bold(r.title)}  ${c.dim(r.id)}`, indent(r.message)].join('\n')).join('\n\n'));
  }
  const blocked = report.checks.filter((r) => r.blockedBy).length;
  if (blocked) {
    parts.push('', c.dim(`${blocked} check${blocked > 1 ? 's were' : ' was'} not run because of ${report.failed + unchecked.length > 1 ? 'the failures' : 'the failure'} above.`));
  }
  parts.push('', c.dim(`${(report.ms / 1000).toFixed(1)} s`), formatSummary(report, c));
  return parts.join('\n');
}

export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2);
}
