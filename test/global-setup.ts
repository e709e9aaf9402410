// Marks every process the suite starts and, when the suite ends, proves from
// the process table that none of them is still running: no redis-server,
// app, runner or browser may linger. Two marks, because one is not enough:
// an environment marker every child inherits, and a spawn log written by a
// preload in every Node process (redis-server overwrites its environment
// when it sets its title, so only the log finds it). See helpers/leftovers.ts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leftovers } from './helpers/leftovers.ts';

const marker = `WORKSHOP_TEST_RUN=${randomUUID()}`;
const recorder = fileURLToPath(new URL('./helpers/spawn-recorder.cjs', import.meta.url));
const logDir = mkdtempSync(join(tmpdir(), 'workshop-test-spawns-'));
const log = join(logDir, 'spawns.log');

export function setup(): void {
  const [name, value] = marker.split('=') as [string, string];
  process.env[name] = value;
  process.env.WORKSHOP_TEST_SPAWNS = log;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(recorder)}`.trim();
}

export async function teardown(): Promise<void> {
  const left = () => leftovers(marker, { log, everySpawn: true });
  // Children get a moment to finish exiting after their worker ended.
  let found = left();
  for (let i = 0; i < 50 && found.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    found = left();
  }
  rmSync(logDir, { recursive: true, force: true });
  if (found.length) {
    for (const p of found) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exitCode = 1; // vitest reports a teardown error but would still exit 0
    throw new Error(
      `The test suite left ${found.length} process(es) running:\n` + found.map((p) => `  ${p.pid} ${p.args}`).join('\n'),
    );
  }
}
