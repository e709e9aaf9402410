// One runner per workspace (runner/instance.ts): the claim on .workshop/,
// raced by real processes. A claim left by a dead runner is taken over by
// exactly one of two runners that find it at the same moment.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { repoRoot } from './helpers/repo.ts';
import { startChild, type Child } from '../runner/process/child.ts';
import { waitFor } from './helpers/workshop-runner.ts';

// A runner's first step, alone: claim the state folder, say the outcome, hold it a while.
const contender = `
import { claimInstance, isClaim } from ${JSON.stringify(join(repoRoot, 'runner/instance.ts'))};
const got = claimInstance(process.argv.at(-1));
console.log(isClaim(got) ? 'claimed' : 'other ' + got.pid);
setTimeout(() => {}, 3000);
`;

let root = '';
const running: Child[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop(0)));
  if (root) await rm(root, { recursive: true, force: true });
});

function contend(script: string, state: string, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const p = startChild(process.execPath, ['--import', 'tsx', script, state], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    onLine: (line) => lines.push(line),
  });
  running.push(p);
  return { lines, answer: () => waitFor('its answer', () => lines.find((l) => l === 'claimed' || l.startsWith('other ')), 20_000) };
}

it('a claim left by a dead runner goes to exactly one of two runners finding it at once', async () => {
  root = await mkdtemp(join(tmpdir(), 'workshop-instance-'));
  const state = join(root, '.workshop');
  await mkdir(state);
  const pidMax = Number(await readFile('/proc/sys/kernel/pid_max', 'utf8'));
  await writeFile(join(state, 'runner.json'), JSON.stringify({ pid: pidMax + 1, url: 'http://127.0.0.1:4000/' })); // no such process
  const script = join(root, 'contender.mts');
  await writeFile(script, contender);
  // The first finds the stale claim and is held, about to take it over. The second finds it too, and
  // the first lets go only once the second says it is waiting on that takeover: inside the window, however slow its start.
  const go = join(root, 'go');
  const first = contend(script, state, { WORKSHOP_PAUSE_AT: 'claim takeover', WORKSHOP_PAUSE_UNTIL: go });
  await waitFor('the first to be held', () => first.lines.includes('[paused] claim takeover'), 20_000);
  const second = contend(script, state, { WORKSHOP_TRACE: '1' });
  await waitFor('the second inside the window', () => second.lines.includes('[trace] claim takeover busy'), 20_000);
  await writeFile(go, '');
  const answers = [await first.answer(), await second.answer()];
  expect(answers.filter((a) => a === 'claimed'), answers.join(', ')).toHaveLength(1);
  expect(answers.filter((a) => a.startsWith('other ')), answers.join(', ')).toHaveLength(1);
});
