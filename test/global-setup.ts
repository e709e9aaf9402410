// Marks every process the suite starts (through the inherited environment)
// and, when the suite ends, proves from the process table that none of them
// is still running: no redis-server, app, runner or browser may linger.
import { randomUUID } from 'node:crypto';
import { processesWithEnv } from './helpers/process-table.ts';

const marker = `WORKSHOP_TEST_RUN=${randomUUID()}`;

export function setup(): void {
  const [name, value] = marker.split('=') as [string, string];
  process.env[name] = value;
}

export async function teardown(): Promise<void> {
  // Children get a moment to finish exiting after their worker ended.
  let left = processesWithEnv(marker);
  for (let i = 0; i < 50 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWithEnv(marker);
  }
  if (left.length) {
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exitCode = 1; // vitest reports a teardown error but would still exit 0
    throw new Error(
      `The test suite left ${left.length} process(es) running:\n` + left.map((p) => `  ${p.pid} ${p.args}`).join('\n'),
    );
  }
}
