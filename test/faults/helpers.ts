// What every fault case asserts, in one place: a unique environment marker
// per case (so the process table can prove nothing of it lingers), a
// picture of the learner's files to compare byte for byte, and the runner's
// own view of things (its state API and its event stream).
import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { leftovers } from '../helpers/leftovers.ts';
import { waitFor } from '../helpers/workshop-runner.ts';
import { runnerFetch, tokenIn } from '../helpers/runner-http.ts';

export const faultFixtures = fileURLToPath(new URL('../fixtures/faults/', import.meta.url));

export interface Marker {
  /** NAME=value, as leftovers() (helpers/leftovers.ts) wants it. */
  marker: string;
  /** To spread into a child's environment. */
  env: Record<string, string>;
}

/** A marker no other case shares: every process of this case carries it. */
export function newMarker(name = 'WORKSHOP_FAULT'): Marker {
  const value = randomUUID();
  return { marker: `${name}=${value}`, env: { [name]: value } };
}

// runner/process/watchdog.ts's shell lives as long as the process that
// started it; when that is the test worker itself, it is not the case's.
const isWatchdog = (args: string) => args.startsWith('sh -c') && args.includes("trap ''");

/** Waits (bounded) until no process carries the marker; fails naming the ones left. */
export async function expectNoOrphans(m: Marker, timeoutMs = 8000): Promise<void> {
  // By environment and by the spawn log: redis-server keeps no environment to find it by.
  const left = () => leftovers(m.marker).filter((p) => !isWatchdog(p.args));
  const deadline = Date.now() + timeoutMs;
  let found = left();
  while (found.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    found = left();
  }
  expect(found.map((p) => `${p.pid} ${p.args}`), 'processes left running').toEqual([]);
}

/** Every file under `dir` (node_modules excluded) and the sha-256 of its bytes. */
export async function picture(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === 'node_modules') continue;
      if (entry.isDirectory()) await walk(path);
      else out[path] = createHash('sha256').update(await readFile(join(dir, path))).digest('hex');
    }
  };
  await walk('');
  return out;
}

/** A message a learner reads: no stack frames of ours, no "undefined", no [object Object]. */
export function expectReadable(text: string): void {
  expect(text).not.toMatch(/\n\s+at .*\((?:node:|file:\/\/\/.*\/(?:runner|checks)\/)/);
  expect(text).not.toMatch(/failed unexpectedly|hit a bug|\bundefined\b|\[object Object\]/);
}

export interface AppView {
  id: string;
  state: string;
  port: number;
  url: string;
  message?: string;
  starts: number;
}

export interface StateView {
  current: string;
  redis: { state: string; url?: string; message?: string };
  apps: AppView[];
}

/** The runner's state, read with the token of `link` (the link it printed). */
export async function uiState(link: string): Promise<StateView> {
  const res = await runnerFetch(link, 'api/state');
  if (!res.ok) throw new Error(`GET /api/state answered ${res.status}`);
  return (await res.json()) as StateView;
}

/** Waits for the runner's state to satisfy `ok`. */
export async function untilState(base: string, what: string, ok: (s: StateView) => boolean, timeoutMs = 20_000): Promise<StateView> {
  let last: StateView | undefined;
  try {
    return await waitFor(what, async () => {
      last = await uiState(base);
      return ok(last) ? last : undefined;
    }, timeoutMs);
  } catch (err) {
    // Say what the runner showed instead, so a failure explains itself.
    throw new Error(`${(err as Error).message}; the apps were: ${JSON.stringify(last?.apps)}`);
  }
}

export const app = (s: StateView, id: 'workspace' | 'solution') => s.apps.find((a) => a.id === id);

/** The runner's token, from the link it printed. */
export async function tokenOf(link: string): Promise<string> {
  return tokenIn(link);
}

export interface EventFrame {
  event: string;
  data: any;
}

/** The page's event stream, as a browser tab holds it open: every frame, and a way to wait for one. */
export async function openEvents(base: string) {
  const token = await tokenOf(base);
  const controller = new AbortController();
  const res = await fetch(new URL('api/events', base), { headers: { 'X-Workshop-Token': token }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`GET /api/events answered ${res.status}`);
  const frames: EventFrame[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(raw)?.[1];
          const data = /^data: (.*)$/m.exec(raw)?.[1];
          if (event && data) frames.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    token,
    frames,
    /** The first frame (from `from` on) that satisfies `ok`. */
    next(what: string, ok: (f: EventFrame) => boolean, timeoutMs = 20_000, from = 0): Promise<EventFrame> {
      return waitFor(what, () => frames.slice(from).find(ok), timeoutMs);
    },
    close: () => controller.abort(),
  };
}

/** A POST as a script of the learner's makes it: the runner's Origin and the token. */
export async function post(link: string, token: string, path: string, body: unknown = {}): Promise<Response> {
  return fetch(new URL(`api/${path}`, link), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(link).origin, 'X-Workshop-Token': token },
    body: JSON.stringify(body),
  });
}

/** Resident memory of a process, in MB (Linux /proc). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  // A process that has exited but is not reaped yet (a zombie) has no VmRSS line.
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`process ${pid} has exited`);
  return Number(kb) / 1024;
}
