// How long `npm run verify` takes, measured on the real CLI: a fresh process
// per run, so Node's start-up, loading the runner's build, the app boots, the restart and the
// clean-up are all in the number. `via: 'npm'` runs the README's command
// itself, npm's own start-up included. Run this file directly for a quick
// look: `node --import tsx bench/verify.ts step3 steps/step3 7`.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { nodeArgsOf } from '../test/helpers/npm-scripts.ts';
import { repoRoot } from '../test/helpers/repo.ts';
import { summarize, type Summary } from './stats.ts';

export interface VerifyBenchOptions {
  runs?: number;
  /** The exit code a run must end with: 0 for a passing app, 1 for a failing one. */
  expectExit?: number;
  /** 'node' runs the CLI directly; 'npm' runs `npm run -s verify`. */
  via?: 'node' | 'npm';
}

export interface VerifyBench extends Summary {
  step: string;
  dir: string;
  via: 'node' | 'npm';
  /** Every run's wall time in ms, in order. */
  times: number[];
}

/** One run of the verify CLI on `dir` (absolute), in ms; rejects unless it exits with `expectExit`. */
export function verifyOnce(step: string, dir: string, expectExit = 0, via: 'node' | 'npm' = 'node'): Promise<number> {
  const [command, args] =
    via === 'npm'
      ? ['npm', ['run', '-s', 'verify', '--', step, '--dir', dir, '--json']]
      : [process.execPath, [...nodeArgsOf('verify'), step, '--dir', dir, '--json']];
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      // A run that ends otherwise than expected measured the wrong thing.
      if (code !== expectExit) reject(new Error(`verify ${step} --dir ${dir} exited ${code}, not ${expectExit}:\n${out}`));
      else resolvePromise(ms);
    });
  });
}

/** Runs the verify CLI `runs` times, one after the other (after one unmeasured warm-up run). */
export async function benchVerify(step: string, dir: string, options: VerifyBenchOptions = {}): Promise<VerifyBench> {
  const { runs = 5, expectExit = 0, via = 'node' } = options;
  const abs = resolve(repoRoot, dir);
  await verifyOnce(step, abs, expectExit, via); // warm-up: the runner's build (made on first use), the OS's file cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(Math.round(await verifyOnce(step, abs, expectExit, via)));
  return { step, dir: abs, via, times, ...summarize(times) };
}

/**
 * Several verifies measured in rounds (one run of each, in turn, `runs`
 * times, after a warm-up of each), so their ratio is not skewed by a busy
 * moment of the machine falling on one of them.
 */
export async function benchVerifyInterleaved(targets: readonly { step: string; dir: string }[], options: { runs?: number } = {}): Promise<VerifyBench[]> {
  const { runs = 5 } = options;
  const abs = targets.map((t) => ({ ...t, dir: resolve(repoRoot, t.dir) }));
  for (const t of abs) await verifyOnce(t.step, t.dir);
  const times: number[][] = abs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, t] of abs.entries()) times[j]!.push(Math.round(await verifyOnce(t.step, t.dir)));
  }
  return abs.map((t, j) => ({ step: t.step, dir: t.dir, via: 'node' as const, times: times[j]!, ...summarize(times[j]!) }));
}

if (import.meta.filename === process.argv[1]) {
  const [step = 'step3', dir = `steps/${step}`, runs = '5'] = process.argv.slice(2);
  const r = await benchVerify(step, dir, { runs: Number(runs) });
  console.log(`verify ${r.step} --dir ${dir}: median ${r.median} ms (min ${r.min}, max ${r.max}, runs: ${r.times.join(', ')})`);
}
