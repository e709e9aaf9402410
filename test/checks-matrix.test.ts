// The fixture matrix: broken apps written as real learners' mistakes, each
// failing exactly the checks it should (and no others), and correct apps
// written differently, which pass. Also each steps/stepN passes its own
// checks and steps/step(N-1) fails step N's, naming the missing clauses.
//
// Determinism: VERIFY_REPEAT=20 npx vitest run test/checks-matrix runs the
// whole matrix 20 times and requires the same verdicts every time.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { fixturesDir, pool, stepsDir, verdict, type Verdict } from './helpers/verify-fixtures.ts';

interface Case {
  name: string;
  step: 'step1' | 'step2' | 'step3';
  dir: string;
  /** Exactly the checks that must fail. */
  fails: string[];
  /** Failures whose hint must name the mistake. */
  hint?: RegExp;
  /** How long the app may take to listen (the never-listening app needs no long wait). */
  timeoutMs?: number;
  env?: () => NodeJS.ProcessEnv;
}

let otherRedis: ThrowawayRedis | undefined;

const fixture = (name: string, step: Case['step'], fails: string[], more: Partial<Case> = {}): Case => ({
  name,
  step,
  dir: join(fixturesDir, name),
  fails,
  ...more,
});
const stepApp = (app: string, step: Case['step'], fails: string[]): Case => ({
  name: `steps/${app} as ${step}`,
  step,
  dir: join(stepsDir, app),
  fails,
});

const cases: Case[] = [
  // The step solutions pass their own step, and the one before fails the next.
  stepApp('step1', 'step1', []),
  stepApp('step2', 'step2', []),
  stepApp('step3', 'step3', []),
  stepApp('start', 'step1', ['step1.home-page', 'step1.pug-view', 'step1.stylesheet']),
  stepApp('step1', 'step2', ['step2.signed-cookie']),
  stepApp('step2', 'step3', ['step3.counter', 'step3.redis-store']),

  // Step 1.
  fixture('s1-never-listens', 'step1', ['step1.listens'], { timeoutMs: 1500, hint: /PORT/ }),
  fixture('s1-exports-without-listen', 'step1', ['step1.listens'], { hint: /app\.listen/ }),
  fixture('s1-port-ignored', 'step1', ['step1.listens'], { hint: /PORT/ }),
  fixture('s1-syntax-error', 'step1', ['step1.listens'], { hint: /syntax error/ }),
  fixture('s1-no-h1', 'step1', ['step1.home-page'], { hint: /h1/ }),
  fixture('s1-no-static', 'step1', ['step1.stylesheet'], { hint: /express\.static/ }),
  fixture('s1-html-string', 'step1', ['step1.pug-view'], { hint: /index\.pug/ }),
  fixture('s1-render-500', 'step1', ['step1.home-page'], { hint: /view/ }),

  // Step 2.
  fixture('s2-unsigned-cookie', 'step2', ['step2.signed-cookie'], { hint: /signed: true/ }),
  fixture('s2-trusts-unsigned', 'step2', ['step2.unsigned-cookie'], { hint: /req\.signedCookies/ }),
  fixture('s2-trusts-forged', 'step2', ['step2.forged-signature'], { hint: /false/ }),
  fixture('s2-no-httponly', 'step2', ['step2.cookie-httponly'], { hint: /httpOnly: true/ }),
  fixture('s2-no-welcome-back', 'step2', ['step2.welcome-back'], { hint: /Welcome back/ }),
  fixture('s2-missing-dependency', 'step2', ['step1.dependencies'], { hint: /"cookie-parser"/ }),
  fixture('s2-no-secret', 'step2', ['step1.home-page'], { hint: /cookieParser\(secret\)/ }),

  // Step 3.
  fixture('s3-memorystore', 'step3', ['step3.redis-store', 'step3.survives-restart', 'step3.second-instance'], { hint: /MemoryStore/ }),
  fixture('s3-client-not-connected', 'step3', ['step1.home-page'], { hint: /connect\(\)/ }),
  fixture('s3-session-after-routes', 'step3', ['step1.home-page'], { hint: /before/ }),
  fixture('s3-string-counter', 'step3', ['step3.counter', 'step3.redis-record'], { hint: /"11"/ }),
  fixture('s3-redis-url-ignored', 'step3', ['step3.redis-store'], {
    hint: /REDIS_URL/,
    env: () => ({ ...process.env, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(otherRedis?.port) }),
  }),
  fixture('s3-static-after-session', 'step3', ['step3.static-no-session'], { hint: /saveUninitialized/ }),
  fixture('s3-no-httponly', 'step3', ['step3.session-cookie-httponly'], { hint: /httpOnly/ }),
  fixture('s3-secret-at-startup', 'step3', ['step3.survives-restart', 'step3.second-instance'], { hint: /secret changes/ }),
  fixture('s3-secure-cookie', 'step3', ['step3.counter'], { hint: /secure/ }),
  fixture('s3-no-locals', 'step3', ['step1.home-page'], { hint: /res\.locals\.session = req\.session/ }),
  fixture('s3-view-without-count', 'step3', ['step3.counter'], { hint: /session\.visits/ }),
  fixture('s3-old-connect-redis-api', 'step3', ['step1.listens'], { hint: /old API/ }),
  fixture('s3-counter-in-memory', 'step3', ['step3.redis-record', 'step3.survives-restart', 'step3.second-instance'], {
    hint: /req\.session/,
  }),
  fixture('s3-missing-dependency', 'step3', ['step1.dependencies'], { hint: /"connect-redis"/ }),

  // Correct apps written differently.
  fixture('ok-cjs', 'step3', []),
  fixture('ok-esm-custom', 'step3', []),
];

const repeat = Math.max(1, Number(process.env.VERIFY_REPEAT) || 1);
const CONCURRENCY = 3;
const verdicts = new Map<string, Verdict[]>();

beforeAll(async () => {
  otherRedis = await throwawayRedis();
  for (let round = 0; round < repeat; round++) {
    const results = await pool(
      cases.map((c) => () => verdict(c.step, c.dir, { timeoutMs: c.timeoutMs ?? 15_000, env: c.env?.() })),
      CONCURRENCY,
    );
    results.forEach((v, i) => {
      const name = cases[i]?.name ?? '';
      verdicts.set(name, [...(verdicts.get(name) ?? []), v]);
    });
  }
}, 600_000 * repeat);

afterAll(async () => {
  await otherRedis?.dispose();
});

const describeIf = (v: Verdict) =>
  v.report.checks.map((c) => `${c.status.padEnd(7)} ${c.id}: ${c.message.split('\n')[0]}`).join('\n');

describe('verify over the fixture matrix', () => {
  it.each(cases)('$name ($step) fails exactly $fails', (c) => {
    const runs = verdicts.get(c.name) ?? [];
    expect(runs).toHaveLength(repeat);
    for (const v of runs) {
      expect(v.failed, describeIf(v)).toEqual(c.fails);
      // Never a mixed message: something skipped means something failed.
      if (v.skipped.length) expect(v.failed.length).toBeGreaterThan(0);
      for (const check of v.report.checks.filter((r) => r.status === 'failed')) {
        expect(check.message.length).toBeGreaterThan(0);
        expect(check.hint.length, `${check.id} has no hint`).toBeGreaterThan(0);
      }
      for (const check of v.report.checks.filter((r) => r.status === 'skipped')) {
        expect(check.message).toMatch(/^Not checked: /);
      }
      if (c.hint) {
        const first = v.report.checks.find((r) => r.id === c.fails[0]);
        expect(first?.hint, describeIf(v)).toMatch(c.hint);
      }
    }
  });
});
