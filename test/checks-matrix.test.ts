// The fixture matrix: broken apps written as real learners' mistakes, each
// failing exactly the checks it should (and no others), skipping exactly
// the ones that depend on those and passing the rest, and correct apps
// written differently, which pass. Also each steps/stepN passes its own
// checks and the app before it fails step N's, naming the missing clauses.
//
// The cases are the content check's (runner/verify/content-check.ts): each
// fixture's verdict.json, and the solutions. What only this test knows: the
// exact clauses the app before each step fails, and the one fixture that
// needs a second Redis in its environment. A fixture that is an overlay (its
// verdict.json names a base) runs as the content check runs it: its files
// over the base, in a temporary folder (runner/verify/fixture.ts).
//
// Determinism: VERIFY_REPEAT=20 npx vitest run test/checks-matrix runs the
// whole matrix 20 times and requires the same verdicts every time.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentCases, judgeCase, type ContentCase } from '../runner/verify/content-check.ts';
import { workshop } from '../runner/steps.ts';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { fixturesDir, pool, stepsDir, verdict, type Verdict } from './helpers/verify-fixtures.ts';

interface Case extends ContentCase {
  env?: () => NodeJS.ProcessEnv;
}

let otherRedis: ThrowawayRedis | undefined;

// The app before each step fails exactly these, and skips exactly those (the content check only asks for some of the step's own).
const before = (app: string, step: string, fails: string[], skips: string[] = []): Case => ({ name: `steps/${app} fails ${step}`, step, dir: join(stepsDir, app), fails, skips });
const exactBefore: Case[] = [
  before('start', 'step1', ['step1.home-page', 'step1.pug-view', 'step1.stylesheet']),
  before('step1', 'step2', ['step2.signed-cookie'], ['step2.cookie-httponly', 'step2.welcome-back', 'step2.forged-signature', 'step2.unsigned-cookie']),
  before('step2', 'step3', ['step3.counter', 'step3.redis-store'], [
    'step3.counter-per-visitor', 'step3.redis-record', 'step3.survives-restart', 'step3.second-instance', 'step3.session-cookie-httponly',
  ]),
  before('step3', 'step4', ['step4.login-form', 'step4.login', 'step4.wrong-password', 'step4.rate-limit', 'step4.secure-cookie'], [
    'step4.login-regenerates', 'step4.login-user', 'step4.login-keeps-count', 'step4.home', 'step4.account', 'step4.same-error',
    'step4.limit-shared', 'step4.limit-cleared', 'step4.lockout-right-password', 'step4.logout', 'step4.logout-cookie',
    'step4.logout-old-cookie', 'step4.session-cookie-samesite', 'step4.cross-site-logout', 'step4.cross-site-login',
    'step4.bad-bodies', 'step4.long-name',
  ]),
  before('step4', 'step5', ['step5.grace-login', 'step5.index', 'step5.devices-listed'], [
    'step5.index-ttl', 'step5.device-times', 'step5.this-device', 'step5.revoke-forms', 'step5.ua-escaped', 'step5.revoke',
    'step5.revoke-sticks', 'step5.revoke-other-user', 'step5.revoke-unknown', 'step5.revoke-self', 'step5.revoke-others',
    'step5.logout-index', 'step5.ended-dropped', 'step5.cross-site',
  ]),
];
const special: Case[] = [
  {
    name: 'test/fixtures/apps/s3-redis-url-ignored as step3',
    step: 'step3',
    dir: join(fixturesDir, 's3-redis-url-ignored'),
    fails: ['step3.redis-store'],
    skips: ['step3.redis-record'],
    hint: 'REDIS_URL',
    // The app reads REDIS_HOST/REDIS_PORT: they point at another Redis, which it reaches instead.
    env: () => ({ ...process.env, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(otherRedis?.port) }),
  },
];

// Top-level await: the cases are known before the tests are declared, one test per case.
const content = await contentCases(workshop());
const cases: Case[] = [...content.filter((c) => Array.isArray(c.fails)), ...exactBefore, ...special];
const repeat = Math.max(1, Number(process.env.VERIFY_REPEAT) || 1);
const CONCURRENCY = 3;
const verdicts = new Map<string, Verdict[]>();
/** Why verify could not run on a case at all (an unknown step…): that case fails, the others still run to the end. */
const cannotRun = new Map<string, string>();

beforeAll(async () => {
  otherRedis = await throwawayRedis();
  for (let round = 0; round < repeat; round++) {
    const results = await pool(
      cases.map((c) => async () => {
        if (c.invalid) return undefined;
        return verdict(c.step, c, { timeoutMs: c.timeoutMs ?? 15_000, env: c.env?.() }).catch((err: Error) => void cannotRun.set(c.name, err.message));
      }),
      CONCURRENCY,
    );
    results.forEach((v, i) => {
      const name = cases[i]?.name ?? '';
      if (v) verdicts.set(name, [...(verdicts.get(name) ?? []), v]);
    });
  }
}, 600_000 * repeat);

afterAll(async () => {
  await otherRedis?.dispose();
});

const describeIf = (v: Verdict) =>
  v.report.checks.map((c) => `${c.status.padEnd(7)} ${c.id}: ${c.message.split('\n')[0]}`).join('\n');

describe('verify over the fixture matrix', () => {
  it('has every fixture, each solution and the app before each step', () => {
    const fixtures = readdirSync(fixturesDir, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(cases.filter((c) => c.dir.startsWith(fixturesDir))).toHaveLength(fixtures.length);
    for (const step of workshop().steps) {
      expect(cases.some((c) => c.dir === step.dir && Array.isArray(c.fails) && !c.fails.length)).toBe(true);
    }
    expect(cases).toHaveLength(fixtures.length + 2 * workshop().steps.length);
  });

  it.each(cases)('$name', (c) => {
    // A verdict.json the content check refuses (a base that is not there…): no run, its sentence.
    expect(c.invalid).toBeUndefined();
    expect(cannotRun.get(c.name), 'verify could not run').toBeUndefined();
    const runs = verdicts.get(c.name) ?? [];
    expect(runs).toHaveLength(repeat);
    for (const v of runs) {
      expect(judgeCase(c, v.report), describeIf(v)).toBeUndefined();
      // Never a mixed message: something skipped means something failed.
      if (v.skipped.length) expect(v.failed.length).toBeGreaterThan(0);
      for (const check of v.report.checks.filter((r) => r.status === 'failed')) {
        expect(check.message.length).toBeGreaterThan(0);
        expect(check.hint.length, `${check.id} has no hint`).toBeGreaterThan(0);
      }
      for (const check of v.report.checks.filter((r) => r.status === 'skipped')) {
        expect(check.message).toMatch(/^Not checked: /);
      }
    }
  });
});
