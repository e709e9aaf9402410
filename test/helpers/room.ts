// `npm run workshop -- room <url>` for real, as a child process on a free
// port, its state (the token) in a temporary folder; and joining a room as
// a learner does, from the terminal or from the workshop page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArgsOf } from './npm-scripts.ts';
import { repoRoot } from './repo.ts';
import { startChild, type Child } from '../../runner/process/child.ts';
import { runnerFetch } from './runner-http.ts';
import type { RoomPageView } from '../../runner/room/server.ts';

export interface RunningRoom {
  url: string;
  link: string;
  process: Child;
  output(): string;
  /** GET /api/room with the token. */
  view(): Promise<RoomPageView>;
  stop(): Promise<void>;
}

export async function startRoom(redisUrl: string, options: { env?: Record<string, string>; timeoutMs?: number; workshop?: string } = {}): Promise<RunningRoom> {
  const state = await mkdtemp(join(tmpdir(), 'workshop-room-'));
  const lines: string[] = [];
  let announce: (link: string) => void = () => {};
  const announced = new Promise<string>((r) => (announce = r));
  const child = startChild(process.execPath, [...nodeArgsOf('workshop'), 'room', redisUrl, '--port', '0', '--no-open', ...(options.workshop ? ['--workshop', options.workshop] : [])], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', WORKSHOP_STATE: state, ...options.env },
    onLine: (line) => {
      lines.push(line);
      const m = /The room is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
      if (m) announce(m[1]!);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const link = await Promise.race([
    announced,
    child.exited.then((e) => Promise.reject(new Error(`the room exited (${JSON.stringify(e)}):\n${lines.join('\n')}`))),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the room did not start:\n${lines.join('\n')}`)), options.timeoutMs ?? 20_000))),
  ])
    .catch(async (err: unknown) => {
      await child.stop();
      await rm(state, { recursive: true, force: true });
      throw err;
    })
    .finally(() => clearTimeout(timer));
  return {
    url: link.replace(/\?.*$/, ''),
    link,
    process: child,
    output: () => lines.join('\n'),
    async view() {
      const res = await runnerFetch(link, 'api/room');
      if (!res.ok) throw new Error(`GET /api/room answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as RoomPageView;
    },
    async stop() {
      await child.stop(5000);
      await rm(state, { recursive: true, force: true });
    },
  };
}

/** Runs `npm run workshop -- <args>` to its end (join, leave, a room that refuses). */
export async function runWorkshopCommand(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const lines: string[] = [];
  const child = startChild(process.execPath, [...nodeArgsOf('workshop'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    onLine: (line) => lines.push(line),
  });
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    child.exited,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`workshop ${args[0]} did not end within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs))),
  ]).finally(() => clearTimeout(timer)).catch(async (err: unknown) => {
    await child.stop();
    throw err;
  });
  return { code: exit.code, output: lines.join('\n') };
}

/** POST to a learner's runner as its page does: the token, and the runner's own Origin. */
export function pagePost(link: string, path: string, body: unknown): Promise<Response> {
  return runnerFetch(link, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(link).origin },
    body: JSON.stringify(body),
  });
}
