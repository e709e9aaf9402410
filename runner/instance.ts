// One runner per workspace. Two runners on the same workspace/ and
// .workshop/ would each run the learner's app, each restart it on a save,
// and each start a redis-server writing the same .workshop/redis/dump.rdb,
// the later save overwriting the other's sessions. So the first claims
// .workshop/runner.json (created exclusively, holding its pid and URL) and
// a second one is told where the first is. A claim left by a runner that
// died without cleaning up (SIGKILL, a power cut) is taken over, by one
// runner at a time: two that find it at the same moment must not both win.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './process/table.ts';

export interface OtherRunner {
  pid: number;
  url?: string;
}

export interface Claim {
  /** Records the URL, for a second runner to point the learner to. */
  setUrl(url: string): void;
  /** Gives the claim up (only if it is still ours). */
  release(): void;
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Tests only: WORKSHOP_PAUSE_AT=<point> holds this process there, to open a
 * race window: until the file WORKSHOP_PAUSE_UNTIL names exists (so a test
 * lets go only once its second runner is inside the window), 20 s at most.
 */
function pauseForTests(point: string, holding?: string): void {
  if (process.env.WORKSHOP_PAUSE_AT !== point) return;
  process.stderr.write(`[paused] ${point}\n`);
  const until = process.env.WORKSHOP_PAUSE_UNTIL;
  const deadline = Date.now() + 20_000;
  while (until && !existsSync(until) && Date.now() < deadline) {
    // A guard held on purpose is in use, not left by a crash, however slowly the other runner starts.
    if (holding) utimesSync(holding, new Date(), new Date());
    sleepSync(10);
  }
}

/** Tests only: WORKSHOP_TRACE=1 says when another runner is taking over a stale claim. */
const traceForTests = (what: string) => process.env.WORKSHOP_TRACE && process.stderr.write(`[trace] ${what}\n`);

const isLive = (claim: OtherRunner | undefined): claim is OtherRunner =>
  claim !== undefined && claim.pid !== process.pid && isAlive(claim.pid);

/**
 * Removes the stale claim in `file`. Only the holder of `<file>.takeover`
 * (a folder: made exclusively) may, and it reads the claim again first: a
 * claim another runner made meanwhile is never removed.
 */
function removeStale(file: string): void {
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch {
    // Another runner is taking over: let it finish. One held for seconds was left by a crash.
    traceForTests('claim takeover busy');
    const since = statSync(guard, { throwIfNoEntry: false })?.mtimeMs;
    if (since !== undefined && Date.now() - since > 5000) rmSync(guard, { recursive: true, force: true });
    sleepSync(20);
    return;
  }
  try {
    if (isLive(readClaim(file))) return;
    pauseForTests('claim takeover', guard);
    unlinkSync(file);
  } catch {
    // gone already
  } finally {
    rmSync(guard, { recursive: true, force: true });
  }
}

function readClaim(file: string): OtherRunner | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; url?: unknown };
    if (typeof data.pid !== 'number') return undefined;
    return { pid: data.pid, ...(typeof data.url === 'string' ? { url: data.url } : {}) };
  } catch {
    return undefined;
  }
}

/** Claims `stateDir` for this process, or names the live runner that has it. */
export function claimInstance(stateDir: string): Claim | OtherRunner {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, 'runner.json');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    // Written aside, then linked into place: the claim appears whole or not at all.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ pid: process.pid }));
    try {
      linkSync(tmp, file);
      const ours = () => readClaim(file)?.pid === process.pid;
      const release = () => {
        try {
          if (ours()) unlinkSync(file);
        } catch {
          // gone already
        }
      };
      process.on('exit', release);
      return {
        setUrl(url) {
          if (!ours()) return;
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify({ pid: process.pid, url }));
          renameSync(tmp, file);
        },
        release,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    const other = readClaim(file);
    if (isLive(other)) return other;
    // Stale: its runner is gone (or it is unreadable). Take it over, then look again.
    removeStale(file);
  }
  return readClaim(file) ?? { pid: 0 };
}

export const isClaim = (c: Claim | OtherRunner): c is Claim => 'release' in c;
