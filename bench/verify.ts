// How long `npm run verify` takes, measured on the real CLI: a fresh
// `node --import tsx runner/cli.ts verify <step> --dir <dir>` per run, so
// Node's and tsx's start-up, the app boots, the restart and the clean-up
// are all in the number. bench/bench.ts calls benchVerify(); run this file
// directly for a quick look: `node --import tsx bench/verify.ts step3 steps/step3 7`.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from '../runner/paths.ts';

export interface VerifyBench {
  step: string;
  dir: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Every run's wall time, in order. */
  timesMs: number[];
}

function once(step: string, dir: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'runner/cli.ts', 'verify', step, '--dir', dir, '--json'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      // A benchmark of a failing run would measure the wrong thing.
      if (code !== 0) reject(new Error(`verify ${step} --dir ${dir} exited ${code}:\n${err || out}`));
      else resolvePromise(ms);
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Runs the verify CLI `runs` times, one after the other (after one warm-up run), and summarises the wall times. */
export async function benchVerify(step: string, dir: string, runs = 5): Promise<VerifyBench> {
  const abs = resolve(repoRoot, dir);
  await once(step, abs); // warm-up: tsx's transform cache, the OS's file cache
  const timesMs: number[] = [];
  for (let i = 0; i < runs; i++) timesMs.push(Math.round(await once(step, abs)));
  return {
    step,
    dir: abs,
    runs,
    medianMs: Math.round(median(timesMs)),
    minMs: Math.min(...timesMs),
    maxMs: Math.max(...timesMs),
    timesMs,
  };
}

if (import.meta.filename === process.argv[1]) {
  const [step = 'step3', dir = `steps/${step}`, runs = '5'] = process.argv.slice(2);
  const result = await benchVerify(step, dir, Number(runs));
  console.log(
    `verify ${result.step} --dir ${dir}: median ${result.medianMs} ms (min ${result.minMs}, max ${result.maxMs}, ${result.runs} runs: ${result.timesMs.join(', ')})`,
  );
}
