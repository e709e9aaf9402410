// Running `npm run verify` as a learner does (the real CLI in a child
// process), and temporary app folders that still resolve the workshop's
// node_modules.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or 128 + signal number's usual code for a signal). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = repo): CliRun {
  const child = spawn(process.execPath, ['runner/launch.js', 'verify', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d;
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(pattern, timeoutMs = 20_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in verify's output within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = repo) {
  const run = startCli(args, env, cwd);
  const { code } = await run.done;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** A copy of an app folder in a temporary directory, with the workshop's node_modules linked beside it. */
export async function tempApp(from: string): Promise<{ dir: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'workshop-verify-app-'));
  const dir = join(root, 'app');
  await cp(from, dir, { recursive: true });
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'));
  return { dir, dispose: () => rm(root, { recursive: true, force: true }) };
}
