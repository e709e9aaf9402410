// `npm run workshop -- check-content`: the workshop's own check, for its
// authors (see verify/content-check.ts and docs/authoring.md).
import pc from 'picocolors';
import { formatProblem } from '../deck/problem.ts';
import { workshop } from '../steps.ts';
import { checkContent } from '../verify/content-check.ts';
import { parseCommandArgs } from './args.ts';

const usage = 'Usage: npm run workshop -- check-content [--concurrency N]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { concurrency: { type: 'string' } }, usage);
  if (positionals.length) {
    console.error(`check-content takes no step (got "${positionals.join(' ')}").\n${usage}`);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    console.error(`--concurrency takes a whole number of apps to check at once, e.g. --concurrency 2 (got "${values.concurrency}").`);
    return 2;
  }
  const w = workshop();
  console.log(`Checking the workshop “${w.title}” (${w.root})`);
  const report = await checkContent({
    concurrency,
    onCase: (r) => console.log(r.problem ? `${pc.red('✖')} ${r.case.name}: ${r.problem}` : `${pc.green('✔')} ${r.case.name}`),
  });
  for (const p of report.lint) console.log(`${pc.red('✖')} ${formatProblem(p)}`);
  const wrong = report.cases.filter((r) => r.problem).length + report.lint.length;
  const summary = `${report.cases.length} apps checked, ${report.lint.length} lint problem${report.lint.length === 1 ? '' : 's'}: ${wrong ? `${wrong} wrong` : 'all as expected'}.`;
  console.log(wrong ? pc.red(summary) : pc.green(summary));
  return wrong ? 1 : 0;
}
