// `npm run workshop` for real, as a child process on a free port, with its
// workspace and state in a temporary folder and the Redis the test gives it.
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArgsOf } from './npm-scripts.ts';
import { repoRoot } from './repo.ts';
import { startChild, type Child } from '../../runner/process/child.ts';

export interface RunningWorkshop {
  /** The runner's address, without the token: what a second user of the machine could guess. */
  url: string;
  /** The link the runner printed, with its token: what the learner opens. */
  link: string;
  port: number;
  root: string;
  workspace: string;
  state: string;
  process: Child;
  /** Everything the runner printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface RunnerOptions {
  /** A step folder (steps/step2) to copy as the learner's workspace; default: none (created from start). */
  workspaceFrom?: string;
  env?: Record<string, string>;
  /** --port; default 0 (any free port). */
  port?: number;
  args?: string[];
  timeoutMs?: number;
}

/** A temporary folder holding workspace/ and .workshop/, where the step apps' packages resolve. */
export async function workshopSandbox(workspaceFrom?: string) {
  const root = await mkdtemp(join(tmpdir(), 'workshop-run-'));
  // Step apps import express & co. from the repository's node_modules, as
  // workspace/ does inside the repository.
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  const workspace = join(root, 'workspace');
  if (workspaceFrom) await cp(workspaceFrom, workspace, { recursive: true });
  return { root, workspace, state: join(root, '.workshop') };
}

export async function startWorkshopRunner(options: RunnerOptions = {}): Promise<RunningWorkshop> {
  const box = await workshopSandbox(options.workspaceFrom);
  const lines: string[] = [];
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((r) => (announce = r));
  const child = startChild(process.execPath, [...nodeArgsOf('workshop'), '--port', String(options.port ?? 0), '--no-open', ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', WORKSHOP_WORKSPACE: box.workspace, WORKSHOP_STATE: box.state, ...options.env },
    onLine: (line) => {
      lines.push(line);
      const m = /The workshop is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
      if (m) announce(m[1]!);
    },
  });
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const link = await Promise.race([
    announced,
    child.exited.then((e) => Promise.reject(new Error(`the runner exited (${JSON.stringify(e)}):\n${lines.join('\n')}`))),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the runner did not start:\n${lines.join('\n')}`)), timeoutMs))),
  ]).catch(async (err: unknown) => {
    await child.stop();
    await rm(box.root, { recursive: true, force: true });
    throw err;
  }).finally(() => clearTimeout(timer));
  // A runner that dies under a test is the first thing to know about.
  let stopping = false;
  void child.exited.then((exit) => {
    // 130/143: stopped by a signal a test sent on purpose (Ctrl-C, SIGTERM).
    if (!stopping && exit.code !== 130 && exit.code !== 143) process.stderr.write(`The workshop runner exited on its own (${JSON.stringify(exit)}):\n${lines.join('\n')}\n`);
  });
  const url = link.replace(/\?.*$/, '');
  return {
    url,
    link,
    port: Number(new URL(url).port),
    ...box,
    process: child,
    output: () => lines.join('\n'),
    async stop() {
      // SIGTERM, as Ctrl-C would: the runner stops its apps itself.
      stopping = true;
      await child.stop(8000);
      await rm(box.root, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
