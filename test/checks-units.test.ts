// The pure parts of the checks: reading pages and cookies, scanning imports,
// diagnosing symptoms, the check runner's skip logic, the report, RESP.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CannotCheck, fail, runChecks, seeCheck, type Check } from '../runner/verify/check.ts';
import { contentCases, judgeCase } from '../runner/verify/content-check.ts';
import { readFixture } from '../runner/verify/fixture.ts';
import { forgeSignature, isSigned, parseSetCookie, unsignedValue } from '../runner/verify/cookies.ts';
import { hintForOtherPort, quoteStderr } from '../runner/verify/diagnose.ts';
import { diagnose, hintForCounts, hintForLostCount, hintForNoSessionsInRedis } from '../checks/hints.ts';
import { importedPackages, missingDependencies, packageName, stripComments } from '../runner/verify/imports.ts';
import { firstLines, h1Text, pageText } from '../runner/verify/page.ts';
import { saysWelcomeBack, saysWelcomeNew, visitCount } from '../checks/visits.ts';
import { redisPort, withDatabase } from '../runner/redis-client.ts';
import { colors, formatEnding, formatJson, formatLine, isPass, makeReport } from '../runner/verify/report.ts';
import { slides } from '../checks/slides.ts';
import { numbersIn } from '../checks/step3.ts';
import { isIgnoredChange } from '../runner/changes.ts';
import { workshop } from '../runner/steps.ts';

describe('page', () => {
  it('finds the number beside "visit" in the forms learners write', () => {
    expect(visitCount('<p>Visits: 3</p>').numbers[0]).toBe(3);
    expect(visitCount('<p>You have visited this page 12 times.</p>').numbers[0]).toBe(12);
    expect(visitCount('<p>This is your <strong>3rd</strong> visit</p>').numbers[0]).toBe(3);
    expect(visitCount('<h1>Step 3: sessions</h1><p>Number of visits so far: 1</p>').numbers[0]).toBe(1);
  });

  it('ignores dates and times beside "visit"', () => {
    const page =
      '<p>Welcome back! Your first visit was on Tue, 2 Dec 2025 10:01:02 GMT.</p><p>You have visited this page 11 times.</p>';
    expect(visitCount(page).numbers).toEqual([11]);
    expect(visitCount('<p>First visit: 2025-12-02T10:01:02.000Z</p>').numbers).toEqual([]);
    expect(visitCount('<p>First visit 12/2/2025, 3:04:05 PM</p>').numbers).toEqual([]);
    expect(visitCount('<p>First visit 1764064800000</p>').numbers).toEqual([]);
  });

  it('says when the page never mentions a visit', () => {
    const count = visitCount('<h1>Express</h1><p>Hello</p>');
    expect(count.mentionsVisit).toBe(false);
    expect(count.numbers).toEqual([]);
  });

  it('reads text, <h1> and welcomes', () => {
    expect(pageText('<head><title>x</title></head><p>a&amp;b &#39;c&#39;</p><script>var x = 1</script>')).toBe("a&b 'c'");
    expect(h1Text('<h1 class="t">Hello <em>you</em></h1>')).toBe('Hello you');
    expect(h1Text('<h2>Nope</h2>')).toBeUndefined();
    expect(saysWelcomeBack('Welcome back!')).toBe(true);
    expect(saysWelcomeNew('Welcome back!')).toBe(false);
    expect(saysWelcomeNew('Welcome, new visitor!')).toBe(true);
  });

  it('quotes the first lines of an error page, decoded', () => {
    const body = '<!DOCTYPE html><html><body><pre>TypeError: Cannot read properties of undefined (reading &#39;visits&#39;)<br> &nbsp; &nbsp;at routes/index.js:7</pre></body></html>';
    expect(firstLines(body, 2)).toEqual(["TypeError: Cannot read properties of undefined (reading 'visits')", 'at routes/index.js:7']);
  });

  it('leaves out the frames in Node\'s code and in libraries, keeping the learner\'s own', () => {
    const body = [
      'Error: Socket closed unexpectedly',
      '    at Socket.<anonymous> (/home/ada/app/node_modules/@redis/client/dist/lib/client/socket.js:317:33)',
      '    at Object.onceWrapper (node:events:639:26)',
      '    at node:internal/process/task_queues:95:5',
      '    at /home/ada/app/routes/index.js:7:12',
    ].join('\n');
    expect(firstLines(body, 3)).toEqual(['Error: Socket closed unexpectedly', 'at /home/ada/app/routes/index.js:7:12']);
  });
});

describe('cookies', () => {
  it('parses Set-Cookie and tells signed values', () => {
    const c = parseSetCookie('connect.sid=s%3Aabc.def; Path=/; Expires=Wed, 26 Nov 2025 10:00:00 GMT; HttpOnly; SameSite=Lax');
    expect(c).toMatchObject({ name: 'connect.sid', value: 's%3Aabc.def', httpOnly: true, secure: false });
    expect(isSigned(c.value)).toBe(true);
    expect(unsignedValue(c.value)).toBe('abc');
    expect(isSigned('plain')).toBe(false);
    expect(isSigned(encodeURIComponent('s:2025-11-26T10:00:00.000Z.sig'))).toBe(true);
    expect(unsignedValue(encodeURIComponent('s:2025-11-26T10:00:00.000Z.sig'))).toBe('2025-11-26T10:00:00.000Z');
  });

  it('forges a signature of the same length that differs', () => {
    const value = encodeURIComponent('s:abc.AbCdEf');
    const forged = decodeURIComponent(forgeSignature(value));
    expect(forged.startsWith('s:abc.')).toBe(true);
    expect(forged).not.toBe(decodeURIComponent(value));
    expect(forged.length).toBe(decodeURIComponent(value).length);
  });
});

describe('imports', () => {
  it('finds ESM, CommonJS and dynamic imports, not comments, files or builtins', () => {
    const source = `
      import express from 'express';
      import { RedisStore } from "connect-redis";
      import * as redis from 'redis/dist/index.js';
      import './side-effect.js';
      import path from 'node:path';
      const fs = require('fs');
      const s = require('express-session');
      // const RedisStore = require('connect-redis-old')(session);
      /* import nope from 'nope'; */
      const url = 'redis://127.0.0.1:6379'; const pug = await import('pug');
      export { x } from '@scope/pkg/sub';
    `;
    expect(importedPackages(source)).toEqual(['express', 'connect-redis', 'redis', 'express-session', 'pug', '@scope/pkg']);
  });

  it('keeps strings that look like comments', () => {
    expect(stripComments("const a = 'http://x'; // gone\nconst b = 1;")).toBe("const a = 'http://x'; \nconst b = 1;");
  });

  it('names packages from specifiers', () => {
    expect(packageName('express')).toBe('express');
    expect(packageName('@redis/client/dist')).toBe('@redis/client');
    expect(packageName('./routes/index.js')).toBeUndefined();
    expect(packageName('crypto')).toBeUndefined();
    expect(packageName('node:crypto')).toBeUndefined();
    expect(packageName('#internal')).toBeUndefined();
  });

  it('lists what package.json does not declare, and dev-only ones', () => {
    const files = [
      { path: 'app.js', source: "import express from 'express'; import cp from 'cookie-parser'; import x from 'vitest';" },
      { path: 'routes/index.js', source: "const cp = require('cookie-parser');" },
    ];
    expect(missingDependencies({ dependencies: { express: '^5' }, devDependencies: { vitest: '^4' } }, files)).toEqual([
      { name: 'cookie-parser', files: ['app.js', 'routes/index.js'], devOnly: false },
      { name: 'vitest', files: ['app.js'], devOnly: true },
    ]);
  });
});

describe('hints', () => {
  it('recognises the mistakes people report most, each with the slide that teaches the fix', () => {
    const diagnoseError = (text: string, facts = {}) => diagnose(text, facts);
    expect(diagnoseError("TypeError: require(...) is not a function\n at app.js:6\n const RedisStore = require('connect-redis')(session);")?.slide).toEqual(slides.requireStore);
    expect(diagnoseError('TypeError: connectRedis is not a function')?.slide).toEqual(slides.requireStore);
    expect(diagnoseError('TypeError: RedisStore is not a constructor')?.slide).toEqual(slides.requireStore);
    expect(diagnoseError("SyntaxError: The requested module 'connect-redis' does not provide an export named 'default'")?.slide).toEqual(slides.requireStore);
    expect(diagnoseError('ClientClosedError: The client is closed')?.slide).toEqual(slides.sessionStore);
    expect(diagnoseError('Error: connect ECONNREFUSED 127.0.0.1:6379', { redisPort: 41234 })?.slide).toEqual(slides.sessionStore);
    expect(diagnoseError('Error: connect ECONNREFUSED 127.0.0.1:41234', { redisPort: 41234 })).toBeUndefined();
    expect(diagnoseError('Error: listen EADDRINUSE: address already in use :::3000', { port: 40000 })?.slide).toEqual(slides.startApp);
    expect(diagnoseError("TypeError: Cannot read properties of undefined (reading 'visits')")?.slide).toEqual(slides.sessionStore);
    expect(diagnoseError('Error: cookieParser("secret") required for signed cookies')?.slide).toEqual(slides.cookieParser);
    expect(diagnoseError("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'connect-redis' imported from /app.js")?.hint).toMatch(/not installed/);
    expect(diagnoseError('Error: Failed to lookup view "home" in views directory')?.slide).toEqual(slides.pugView);
    expect(
      diagnoseError("TypeError: /app/views/index.pug:7\n  > 7|   p You have visited #{session.visits}\n\nCannot read properties of undefined (reading 'visits')")?.slide,
    ).toEqual(slides.locals);
    expect(diagnoseError('all is well')).toBeUndefined();
  });

  it('diagnoses counts', () => {
    expect(hintForCounts([1, 11, 111], { sessionCookieSet: true, secureCookie: false })).toMatch(/joined as text/);
    expect(hintForCounts([1, 1, 1], { sessionCookieSet: false, secureCookie: false })).toMatch(/secure: true/);
    expect(hintForCounts([1, 1, 1], { sessionCookieSet: true, secureCookie: false })).toMatch(/cookie-parser has a secret, give it the same one/);
    expect(hintForCounts([1, 3, 5], { sessionCookieSet: true, secureCookie: false })).toMatch(/Add one per visit/);
  });

  it('tells a lost count from a changed secret', () => {
    expect(hintForLostCount(true)).toMatch(/secret changes at each start/);
    expect(hintForLostCount(false)).toMatch(/MemoryStore/);
    expect(hintForNoSessionsInRedis(true)).toMatch(/MemoryStore/);
    expect(hintForNoSessionsInRedis(false)).toMatch(/ignore REDIS_URL/);
  });

  it('names the port an app listens on instead of PORT', () => {
    expect(hintForOtherPort(['Listening on http://localhost:3000'], 41000)).toMatch(/port 3000 instead/);
    expect(hintForOtherPort([], 41000, [8080])).toMatch(/port 8080 instead/);
    expect(hintForOtherPort([], 41000)).toMatch(/PORT environment variable/);
  });

  it('quotes stderr without the noise', () => {
    const lines = ['file:///app.js:3', 'boom', 'Error: x', '    at a', '    at b', '    at c', '', 'Node.js v20.20.2'];
    expect(quoteStderr(lines)).toEqual(['file:///app.js:3', 'boom', 'Error: x', '    at a', '    at b']);
  });
});

describe('the check runner', () => {
  const check = (id: string, run: Check<null>['run'], needs?: string[]): Check<null> => ({
    id,
    title: id,
    slide: slides.startApp,
    needs,
    run,
  });

  it('names another check by its title as listed (seeCheck), and refuses an id the step does not have', () => {
    const checks = [{ ...check('step9.counter', async () => 'ok'), title: 'Each visit counts' }];
    expect(seeCheck(checks, 'step9.counter')).toBe('(see “Each visit counts”)');
    expect(() => seeCheck(checks, 'step9.nope')).toThrow('There is no check step9.nope to refer to.');
  });

  it('skips what needs a failed check, with the reason, and reports in order', async () => {
    const seen: string[] = [];
    const results = await runChecks(
      [
        check('a', async () => fail('a broke', 'fix a')),
        check('b', async () => 'fine'),
        check('c', async () => 'never run', ['a']),
        check('d', async () => 'never run', ['c']),
        check('e', async () => {
          throw new CannotCheck('nothing to look at.');
        }),
        check('f', async () => {
          throw new Error('oops');
        }),
      ],
      null,
      (link) => ({ deck: link.deck, slide: 1, title: link.heading, file: `${link.deck}.md` }),
      (r, i) => seen.push(`${i}:${r.id}:${r.status}`),
    );
    expect(seen).toEqual(['0:a:failed', '1:b:passed', '2:c:skipped', '3:d:skipped', '4:e:skipped', '5:f:failed']);
    expect(results[0]).toMatchObject({ message: 'a broke', hint: 'fix a' });
    // The need is named by its title; its internal id stays out of the sentence.
    expect(results[2]?.message).toBe('Not checked: it needs “a”, which failed.');
    expect(results[3]?.message).toMatch(/which was not checked either/);
    expect(results[4]?.message).toBe('Not checked: nothing to look at.');
    expect(results[5]?.message).toMatch(/The check itself went wrong: oops/);
  });
});

describe('report', () => {
  const result = (id: string, status: 'passed' | 'failed' | 'skipped') => ({
    id,
    title: `Title of ${id}`,
    status,
    message: `${id} message`,
    hint: status === 'failed' ? `${id} hint` : '',
    slide: { deck: 'step3', slide: 10, title: 'routes/index.js: Add a quick visits counter to our index', file: 'slides/step3.md' },
    ms: 12,
  });

  it('passes only when every check passed, and ends with N passed, M failed', () => {
    const c = colors(false);
    const good = makeReport('step3', '/app', [result('a', 'passed')], 100);
    const bad = makeReport('step3', '/app', [result('a', 'passed'), result('b', 'failed'), { ...result('c', 'skipped'), blockedBy: 'b' }], 100);
    expect(isPass(good)).toBe(true);
    expect(isPass(bad)).toBe(false);
    expect(isPass(makeReport('step3', '/app', [], 1))).toBe(false);
    expect(formatEnding(good, c).split('\n').at(-1)).toBe('1 passed, 0 failed');
    const ending = formatEnding(bad, c);
    expect(ending.split('\n').at(-1)).toBe('1 passed, 1 failed');
    expect(ending).toContain('b hint');
    expect(ending).toContain('slides/step3.md, slide 10');
    expect(ending).toContain('1 check was not run because of the failure above.');
    expect(formatLine(result('a', 'passed'), c)).toBe('  ✔ Title of a  a  12 ms');
    expect(formatLine(result('c', 'skipped'), c)).toBe('  – Title of c  c  not checked');
    expect(JSON.parse(formatJson(bad))).toMatchObject({ step: 'step3', dir: '/app', passed: 1, failed: 1, skipped: 1, ms: 100 });
  });

  it('says why a check was not checked when no failure explains it', () => {
    const c = colors(false);
    const report = makeReport('step4', '/app', [result('a', 'passed'), { ...result('c', 'skipped'), message: 'Not checked: nobody was logged in to attack.' }], 100);
    const ending = formatEnding(report, c);
    expect(ending).toContain('– Title of c  c\n    Not checked: nobody was logged in to attack.');
    expect(ending).not.toContain('because of the failure above');
    expect(ending.split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(isPass(report)).toBe(false);
  });

  it('colours only when asked', () => {
    expect(formatLine(result('b', 'failed'), colors(true))).toContain('\x1b[');
    expect(formatLine(result('b', 'failed'), colors(false))).not.toContain('\x1b[');
  });
});

describe('step 3 records', () => {
  it("finds numbers in a session record, leaving out express-session's cookie", () => {
    expect(numbersIn({ cookie: { originalMaxAge: 3 }, visits: 2, nested: { n: [4] } })).toEqual([2, 4]);
    expect(numbersIn({ cookie: {}, visits: '3' })).toEqual([]);
  });
});

describe('Redis URLs', () => {
  it('swaps their database and reads their port', () => {
    expect(withDatabase('redis://:pw@127.0.0.1:6379/0', 14)).toBe('redis://:pw@127.0.0.1:6379/14');
    expect(redisPort('rediss://user:p%40ss@example.com:6380/2')).toBe(6380);
    expect(redisPort('redis://localhost')).toBe(6379);
  });
});

describe('watch', () => {
  it("ignores editors' temporary files and node_modules", () => {
    for (const name of ['.app.js.swp', 'app.js~', '4913', '.#app.js', '#app.js#', 'app.js___jb_tmp___', 'node_modules/x/y.js', '.git/index']) {
      expect(isIgnoredChange(`/app/${name}`, '/app'), name).toBe(true);
    }
    for (const name of ['app.js', 'views/index.pug', 'public/stylesheets/style.css']) {
      expect(isIgnoredChange(`/app/${name}`, '/app'), name).toBe(false);
    }
  });
});

describe('a fixture\'s verdict (judgeCase)', () => {
  const report = (statuses: Record<string, 'passed' | 'failed' | 'skipped'>) =>
    makeReport('step3', '.', Object.entries(statuses).map(([id, status]) => ({ id, title: id, status, message: '', hint: status === 'failed' ? 'a hint' : '', slide: { deck: 'step3', slide: 1, title: '', file: '' }, ms: 1 })), 1);
  const c = { name: 'x', step: 'step3', dir: '.', fails: ['step3.counter'], skips: ['step3.redis-record'] };

  it('holds when exactly the named checks fail and are skipped, and the rest pass', () => {
    expect(judgeCase(c, report({ 'step3.counter': 'failed', 'step3.redis-record': 'skipped', 'step3.redis-store': 'passed' }))).toBeUndefined();
  });

  it('names a check that should pass and was skipped instead', () => {
    expect(judgeCase(c, report({ 'step3.counter': 'failed', 'step3.redis-record': 'skipped', 'step3.redis-store': 'skipped' }))).toBe(
      'expected exactly step3.redis-record to be skipped; step3.redis-record, step3.redis-store were skipped.',
    );
  });

  it('names a skipped check that ran instead', () => {
    expect(judgeCase(c, report({ 'step3.counter': 'failed', 'step3.redis-record': 'passed' }))).toBe(
      'expected exactly step3.redis-record to be skipped; none was.',
    );
  });

  // A fixture's verdict.json "hint": the first failure's hint must match it, or the learner's mistake is named wrongly.
  const hinted = (hints: Record<string, string>) =>
    makeReport('step2', '.', Object.entries(hints).map(([id, hint]) => ({ id, title: id, status: 'failed' as const, message: 'm', hint, slide: { deck: 'step2', slide: 1, title: '', file: '' }, ms: 1 })), 1);
  const h = { name: 'x', step: 'step2', dir: '.', fails: ['step2.cookie-httponly', 'step2.welcome-back'], hint: 'httpOnly: true' };

  it("holds when the first failure's hint matches the verdict's hint", () => {
    expect(judgeCase(h, hinted({ 'step2.cookie-httponly': 'Pass `{ httpOnly: true }` to res.cookie.', 'step2.welcome-back': 'Read req.signedCookies.' })), 'a matching hint is refused').toBeUndefined();
  });

  it("names the first failure and its hint when that hint does not match the verdict's", () => {
    expect(judgeCase(h, hinted({ 'step2.cookie-httponly': 'Use cookie-parser with a secret.', 'step2.welcome-back': 'Read req.signedCookies.' })), 'a hint that does not match the verdict is let through').toBe(
      'expected the hint of step2.cookie-httponly to match /httpOnly: true/; it is “Use cookie-parser with a secret.”.',
    );
  });

  it("compares the first failure's hint only: a later failure's matching hint does not count", () => {
    expect(judgeCase(h, hinted({ 'step2.welcome-back': 'Read req.signedCookies.', 'step2.cookie-httponly': 'Pass `{ httpOnly: true }` to res.cookie.' })), "the first failure's hint is not the one compared").toBe(
      'expected the hint of step2.welcome-back to match /httpOnly: true/; it is “Read req.signedCookies.”.',
    );
  });

  it("reads each fixture's hint, and an overlay's base, from its verdict.json into its case", async () => {
    const cases = await contentCases(workshop());
    const fixturesDir = workshop().fixtures!;
    // Read as every reader of a fixture reads it: runner/verify/fixture.ts.
    const fixtures = (
      await Promise.all(readdirSync(fixturesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => readFixture(join(fixturesDir, e.name), workshop().root)))
    ).filter((f) => f !== undefined);
    const hints = fixtures.filter((f) => f.verdict.hint !== undefined);
    expect(hints.length, 'fixtures whose verdict.json names a hint').toBeGreaterThan(0);
    for (const f of hints) expect(cases.find((c) => c.dir === f.dir)?.hint, `the hint of ${f.dir}/verdict.json is not on its case`).toBe(f.verdict.hint);
    const overlays = fixtures.filter((f) => f.base !== undefined);
    expect(overlays.length, 'fixtures whose verdict.json names a base').toBeGreaterThan(0);
    for (const f of overlays) expect(cases.find((c) => c.dir === f.dir)?.base, `the base of ${f.dir}/verdict.json is not on its case`).toBe(f.base);
  });
});
