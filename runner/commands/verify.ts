// `npm run verify <step> [-- --dir PATH --json --watch --timeout MS]`
// Exit codes: 0 every check passed, 1 any did not, 2 usage error.
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { colors, formatEnding, formatHeader, formatJson, formatLine, isPass, type Report } from '../verify/report.ts';
import { DEFAULT_TIMEOUT_MS, VerifyUsageError, readApp, verify } from '../verify/verify.ts';
import { workspaceDir } from '../paths.ts';
import { onShutdown } from '../process/shutdown.ts';
import { RedisUnavailableError } from '../redis.ts';
import { steps, workshop } from '../steps.ts';
import { FixtureError, isOverlay, overlayApp, readFixture, type Fixture } from '../verify/fixture.ts';
import { ChecksModuleError } from '../verify/step-checks.ts';
import { oneStep, parseCommandArgs } from './args.ts';
import { roomReporter, type TerminalRoom } from '../room/terminal.ts';

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

  // An author's overlay fixture (a verdict.json naming a base): checked as base + overlay, in a
  // temporary folder. Only a folder named by --dir, never the learner's workspace; any other
  // folder, a whole fixture included, is checked as it is.
  let fixture: Fixture | undefined;
  if (values.dir !== undefined && !(await sameFolder(dir, workspaceDir())) && (await isOverlay(dir))) {
    try {
      fixture = await readFixture(dir, workshop().root);
    } catch (err) {
      if (!(err instanceof FixtureError)) throw err;
      console.error(err.message);
      return 2;
    }
  }
  if (fixture?.base) {
    if (values.watch) {
      console.error(`--watch does not follow an overlay fixture: ${dir} holds only the files that differ from ${fixture.verdict.base}. Run it without --watch.`);
      return 2;
    }
    const app = await overlayApp(fixture.base, dir, fixture.remove);
    // Removed after the run, and on Ctrl-C after the run's processes have stopped (cleanups run last first).
    onShutdown(() => app.dispose());
    const removed = fixture.remove?.length ? `, less ${fixture.remove.join(', ')}` : '';
    const overlayHeader = () => {
      header();
      if (!json) console.log(c.dim(`An overlay: ${fixture.verdict.base} with this folder's files over it${removed}, copied to ${app.dir}.`));
    };
    try {
      return await once(step, dir, app.dir, options, { header: overlayHeader, print, controller: new AbortController() });
    } finally {
      await app.dispose();
    }
  }

  // Only the learner's own workspace is reported: an author's fixture or another folder is nobody's progress.
  const isWorkspace = await sameFolder(dir, workspaceDir());
  if (values.watch) return watchMode(step.name, dir, options, { header, print, json, c, room: isWorkspace });
  return once(step, dir, dir, options, { header, print, controller: new AbortController(), room: isWorkspace });
}

/** One run on the app in `appDir` (`dir`, or the copy of an overlay fixture in `dir`), printed. */
async function once(
  step: { name: string },
  dir: string,
  appDir: string,
  options: { timeoutMs: number; onResult?: (r: Parameters<typeof formatLine>[0]) => void },
  io: { header: () => void; print: (r: Report) => void; controller: AbortController; room?: boolean },
): Promise<number> {
  // Ctrl-C: the run stops its apps and Redis (their whole process groups) and
  // cleans up as it would at its end; then the process exits 130.
  let running: Promise<unknown> | undefined;
  onShutdown(async () => {
    io.controller.abort();
    await running?.catch(() => {});
  });
  // The room, when the learner joined one and checks their workspace: the report is handed over once printed.
  const room = io.room ? roomReporter() : undefined;
  try {
    io.header();
    const run = verify(step.name, appDir, { ...options, signal: io.controller.signal });
    running = run;
    // The report names the folder that was asked for, not an overlay's temporary copy.
    const report = { ...(await run), dir };
    io.print(report);
    room?.send(report);
    return isPass(report) ? 0 : 1;
  } catch (err) {
    return reportError(err);
  } finally {
    await room?.finish();
  }
}

async function sameFolder(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => resolve(a)), realpath(b).catch(() => resolve(b))]);
  return ra === rb;
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
  io: { header: () => void; print: (r: Report) => void; json: boolean; c: ReturnType<typeof colors>; room: boolean },
): Promise<number> {
  const { watchVerify } = await import('../verify/watch.ts');
  // Validate once, so a missing folder is a usage error rather than a loop of errors.
  try {
    await readApp(resolve(dir));
  } catch (err) {
    return reportError(err);
  }
  const clear = process.stdout.isTTY && !io.json ? '\x1b[2J\x1b[3J\x1b[H' : '';
  const room: TerminalRoom | undefined = io.room ? roomReporter({ watch: true }) : undefined;
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
        room?.send(report);
        if (!io.json) console.log(io.c.dim('Watching for changes; Ctrl-C to stop.'));
      },
      onError: (err) => {
        if (err instanceof VerifyUsageError || err instanceof RedisUnavailableError || err instanceof ChecksModuleError) console.error(err.message);
        else console.error(err.stack ?? err.message);
      },
    });
    // Ctrl-C ends the watch: the watcher closes, a run in progress stops with its processes.
    onShutdown(async () => {
      await watcher.close();
      await room?.finish();
    });
  });
}
