// `npm run verify <step> [-- --dir PATH --json --watch --timeout MS]`
// Exit codes: 0 every check passed, 1 any did not, 2 usage error.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { colors, formatEnding, formatHeader, formatJson, formatLine, isPass, type Report } from '../verify/report.ts';
import { DEFAULT_TIMEOUT_MS, VerifyUsageError, readApp, verify } from '../verify/verify.ts';
import { workspaceDir } from '../paths.ts';
import { onShutdown } from '../process/shutdown.ts';
import { RedisUnavailableError } from '../redis.ts';
import { steps } from '../steps.ts';
import { ChecksModuleError } from '../verify/step-checks.ts';
import { oneStep, parseCommandArgs } from './args.ts';

const usage = 'Usage: npm run verify <step> [-- --dir PATH --json --watch --timeout MS]';

export const noWorkspaceMessage = (): string =>
  `There is no workspace yet: run \`npm run workshop\` to create it, or \`npm run solution ${steps()[0]?.name ?? '1'} -- --yes\`.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
    usage,
  );
  const step = oneStep(positionals, usage);
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    console.error(`--timeout takes a number of milliseconds, e.g. --timeout 10000 (got "${values.timeout}").`);
    return 2;
  }
  // `npm run` runs in the repository root; a relative --dir means the learner's own folder.
  const dir = values.dir === undefined ? workspaceDir() : resolve(process.env.INIT_CWD ?? process.cwd(), values.dir);
  if (values.dir === undefined && !existsSync(dir)) {
    console.error(noWorkspaceMessage());
    return 2;
  }

  const c = colors(pc.isColorSupported);
  const json = values.json;
  const print = (report: Report) => {
    if (json) console.log(formatJson(report));
    else console.log(formatEnding(report, c));
  };
  const options = {
    timeoutMs,
    onResult: json ? undefined : (result: Parameters<typeof formatLine>[0]) => console.log(formatLine(result, c)),
  };
  const header = () => {
    if (!json) console.log(formatHeader(step, dir, c));
  };

  if (values.watch) return watchMode(step.name, dir, options, { header, print, json, c });

  // Ctrl-C: the run stops its apps and Redis (their whole process groups) and
  // cleans up as it would at its end; then the process exits 130.
  const controller = new AbortController();
  let running: Promise<unknown> | undefined;
  onShutdown(async () => {
    controller.abort();
    await running?.catch(() => {});
  });
  try {
    header();
    const run = verify(step.name, dir, { ...options, signal: controller.signal });
    running = run;
    const report = await run;
    print(report);
    return isPass(report) ? 0 : 1;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof VerifyUsageError) {
    console.error(err.message);
    return 2;
  }
  if (err instanceof RedisUnavailableError) {
    // Not a verdict on the app: the checks could not run.
    console.error(err.message);
    return 2;
  }
  throw err;
}

async function watchMode(
  step: string,
  dir: string,
  options: { timeoutMs: number; onResult?: (r: Parameters<typeof formatLine>[0]) => void },
  io: { header: () => void; print: (r: Report) => void; json: boolean; c: ReturnType<typeof colors> },
): Promise<number> {
  const { watchVerify } = await import('../verify/watch.ts');
  // Validate once, so a missing folder is a usage error rather than a loop of errors.
  try {
    await readApp(resolve(dir));
  } catch (err) {
    return reportError(err);
  }
  const clear = process.stdout.isTTY && !io.json ? '\x1b[2J\x1b[3J\x1b[H' : '';
  return new Promise<number>(() => {
    const watcher = watchVerify(step, dir, {
      ...options,
      onRunStart: (changed) => {
        if (clear) process.stdout.write(clear);
        else if (changed !== undefined && !io.json) console.log('');
        if (!io.json && changed) console.log(io.c.dim(`Changed: ${changed}`));
        io.header();
      },
      onReport: (report) => {
        io.print(report);
        if (!io.json) console.log(io.c.dim('Watching for changes; Ctrl-C to stop.'));
      },
      onError: (err) => {
        if (err instanceof VerifyUsageError || err instanceof RedisUnavailableError || err instanceof ChecksModuleError) console.error(err.message);
        else console.error(err.stack ?? err.message);
      },
    });
    // Ctrl-C ends the watch: the watcher closes, a run in progress stops with its processes.
    onShutdown(() => watcher.close());
  });
}
