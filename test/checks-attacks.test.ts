// The pure parts of step 4's attacker checks: judging cross-site posts
// (either header may be the one an app checks), finding a stack trace or the
// app's folder in an answer, comparing Redis values without their times,
// and sending a form as a browser does (a field twice, hidden fields).
import { describe, expect, it } from 'vitest';
import { CheckFailed } from '../runner/verify/check.ts';
import { formsOf } from '../runner/verify/forms.ts';
import { encodeForm, type Page } from '../runner/verify/http.ts';
import { leakIn } from '../runner/verify/page.ts';
import { CROSS_SITE, judgeCrossSite, withoutTimes, type CrossSiteAttempt, type CrossSiteObservation } from '../checks/step4-attacks.ts';

const page = (status: number, setCookies: string[] = []): Page => ({
  url: 'http://127.0.0.1:1/logout',
  method: 'POST',
  status,
  contentType: 'text/html',
  headers: {},
  body: '',
  setCookies: setCookies.map((raw) => ({ name: raw.split('=')[0]!, value: '', httpOnly: false, secure: false, raw })),
  ms: 1,
});

/** One attempt per variant, answered `status(variant)`. */
function observed(status: (checks: string, label: string) => number, extra: Partial<CrossSiteAttempt> = {}, after: CrossSiteObservation['after'] = []): CrossSiteObservation {
  return {
    attempts: CROSS_SITE.map((variant) => ({ variant, who: 'ada, logged in', posted: 'no form', page: page(status(variant.checks, variant.label)), changed: [], ...extra })),
    after,
  };
}

function verdict(obs: CrossSiteObservation): string {
  try {
    return `passed: ${judgeCrossSite('/logout', obs)}`;
  } catch (err) {
    if (err instanceof CheckFailed) return `failed: ${err.message}`;
    throw err;
  }
}

describe('judgeCrossSite', () => {
  it('passes an app that refuses every cross-site post', () => {
    expect(verdict(observed(() => 403))).toBe('passed: 4 of 4 cross-site POST /logout answered 403 and changed nothing.');
  });

  it('passes an app that checks Origin only, or Sec-Fetch-Site only', () => {
    expect(verdict(observed((checks) => (checks === 'fetch-site' ? 303 : 403)))).toMatch(/^passed: 3 of 4 .*checks the other header/);
    expect(verdict(observed((checks) => (checks === 'origin' ? 303 : 403)))).toMatch(/^passed: 3 of 4/);
  });

  it('fails an app that lets through what a browser sends from another site', () => {
    expect(verdict(observed(() => 303))).toMatch(/^failed: A POST \/logout with Origin: https:\/\/attacker\.example and Sec-Fetch-Site: cross-site .* answered 303, expected 403\./);
    // Origin: null from a sandboxed page, with Sec-Fetch-Site: the app treats null as no Origin and checks nothing else.
    expect(verdict(observed((_, label) => (label.includes('null') || label.startsWith('Sec-Fetch-Site') ? 303 : 403)))).toMatch(
      /^failed: A POST \/logout with Origin: null and Sec-Fetch-Site: cross-site/,
    );
  });

  it('fails an app that checks neither header alone, naming that', () => {
    expect(verdict(observed((checks) => (checks === 'both' ? 403 : 303)))).toMatch(/answered 303, expected 403\. The app lets the other header through alone as well/);
  });

  it('fails a refusal that still set a cookie or changed Redis', () => {
    expect(verdict(observed(() => 403, { page: page(403, ['connect.sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT']) }))).toMatch(/answered 403 but set a cookie: connect\.sid=/);
    expect(verdict(observed(() => 403, { changed: ['sess:abc was deleted'] }))).toMatch(/answered 403 but changed Redis: sess:abc was deleted\./);
  });

  it('fails when a visitor was logged out (or in) all the same', () => {
    const after = [{ who: 'ada, logged in', loggedIn: false, expected: true }];
    expect(verdict(observed(() => 403, {}, after))).toBe('failed: After the cross-site POSTs to /logout, ada, logged in is no longer logged in.');
    expect(verdict(observed(() => 403, {}, [{ who: 'a visitor', loggedIn: true, expected: false }]))).toMatch(/a visitor is logged in\.$/);
  });
});

describe('leakIn', () => {
  const dir = '/tmp/workshop-app';
  it("finds a stack frame in Express's error page, escaped as it is", () => {
    const express = `<!DOCTYPE html><pre>TypeError: Cannot read properties of undefined (reading 'username')<br> &nbsp; &nbsp;at ${dir}/routes/auth.js:22:31<br> &nbsp; &nbsp;at Layer.handle (${dir}/node_modules/router/lib/layer.js:152:17)</pre>`;
    expect(leakIn(express, [dir])).toBe(`at ${dir}/routes/auth.js:22:31`);
  });

  it('finds a stack in JSON, a file URL, and frames of Node itself', () => {
    expect(leakIn('{"stack":"Error: x\\n    at Object.<anonymous> (file:///w/app.mjs:3:9)"}', [])).toMatch(/file:\/\/\/w\/app\.mjs:3:9/);
    expect(leakIn('at process.processTicksAndRejections (node:internal/process/task_queues:95:5)', [])).toMatch(/node:internal/);
  });

  it("finds the app's folder in a message without a stack", () => {
    expect(leakIn(`<p>ENOENT: no such file or directory, open '${dir}/views/login.pug'</p>`, [dir])).toBe(`ENOENT: no such file or directory, open '${dir}/views/login.pug'`);
  });

  it('leaves alone what is no stack: times, ratios, a plain error sentence', () => {
    expect(leakIn('<p>Try again at 12:30:45.</p><p>Meet at 3:2:1</p>', [dir])).toBeUndefined();
    expect(leakIn('<h1>Error</h1><p>The request could not be read: request entity too large.</p>', [dir])).toBeUndefined();
  });
});

describe('withoutTimes', () => {
  it('masks expiries and last-seen times, not the data', () => {
    const a = '{"cookie":{"expires":"2026-12-07T07:08:53.123Z"},"visits":3,"lastSeen":1796540933123,"at":1796540933}';
    const b = '{"cookie":{"expires":"2026-12-07T07:09:01.456Z"},"visits":3,"lastSeen":1796540941456,"at":1796540941}';
    expect(withoutTimes(a)).toBe(withoutTimes(b));
    expect(withoutTimes(a)).not.toBe(withoutTimes(a.replace('"visits":3', '"visits":4')));
  });
});

describe('forms as a browser sends them', () => {
  it('sends a field given as a list once per value', () => {
    expect(encodeForm({ username: ['ada', 'ada'], password: 'love lace' })).toBe('username=ada&username=ada&password=love+lace');
  });

  it("reads a form's hidden fields", () => {
    const [form] = formsOf('<form method="post" action="/login"><input type="hidden" name="_csrf" value="t0k&amp;en"><input name="username"><input type="HIDDEN" name="next"></form>');
    expect(form?.hidden).toEqual({ _csrf: 't0k&en', next: '' });
    expect(form?.fields).toEqual(['_csrf', 'username', 'next']);
  });
});
