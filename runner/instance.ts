// One runner per workspace. Two runners on the same workspace/ and
// .workshop/ would each run the learner's app, each restart it on a save,
// and each start a redis-server writing the same .workshop/redis/dump.rdb,
// the later save overwriting the other's sessions. So the first claims
// .workshop/runner.json (created exclusively, holding its pid and URL) and
// a second one is told where the first is. A claim left by a runner that
// died without cleaning up (SIGKILL, a power cut) is taken over.
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './processes.ts';

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
  for (let attempt = 0; attempt < 3; attempt++) {
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
    if (other && other.pid !== process.pid && isAlive(other.pid)) return other;
    // Stale: its runner is gone (or it is unreadable). Take it over.
    try {
      unlinkSync(file);
    } catch {
      // another runner took it over first: look again
    }
  }
  return readClaim(file) ?? { pid: 0 };
}

export const isClaim = (c: Claim | OtherRunner): c is Claim => 'release' in c;
