// The room's pure parts: what a learner's report puts in the stream (and
// what it never does), what the instructor's side accepts from it (anyone
// can append anything), and the room's view: latest per learner, stuck,
// failing most, silent and gone.
import { describe, expect, it } from 'vitest';
import { cleanText, entryFields, limits, parseEntry, withoutPaths, type RoomEntry } from '../runner/room/entry.ts';
import { RoomState, timing } from '../runner/room/room.ts';
import { checkName, checkRoomUrl, roomHost } from '../runner/room/config.ts';
import { entriesOf } from '../runner/room/reader.ts';
import type { CheckResult } from '../runner/verify/check.ts';

const check = (id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  id,
  title: `the ${id}`,
  status,
  message: `observed at /home/ada/secret-project/app.js: the page said "password=hunter2"`,
  hint: status === 'failed' ? 'Add `app.use(session())` before the routes.' : '',
  slide: { deck: 'step3', slide: 4, title: 'Sessions', file: '/home/ada/ws/slides/step3.md' },
  ms: 12,
  ...extra,
});

const learner = 'abcdefghijkl';
const entry = (over: Partial<RoomEntry> = {}): RoomEntry => ({ learner, name: 'Ada', step: 'step3', slide: '', checks: [], at: 1_000_000, ...over });

describe('entryFields: what a report sends', () => {
  const fields = entryFields(
    { step: 'step3', checks: [check('step3.listens', 'passed'), check('step3.session', 'failed'), check('step3.counter', 'skipped')] },
    { learner, name: 'Ada', slide: 'step3/7' },
    1234,
  );

  it('sends the name, the step, each check id and outcome, the slide and the time', () => {
    expect(fields).toMatchObject({ v: '1', learner, name: 'Ada', step: 'step3', slide: 'step3/7', at: '1234' });
    expect(JSON.parse(fields.checks!)).toEqual([
      ['step3.listens', 'p'],
      ['step3.session', 'f', 'Add `app.use(session())` before the routes.', ['step3', 4, 'Sessions']],
      ['step3.counter', 's'],
    ]);
  });

  it('never sends what the check observed, file paths or the folder checked', () => {
    const all = JSON.stringify(fields);
    expect(all).not.toMatch(/hunter2|observed|\/home\/ada|secret-project|slides\/step3\.md/);
  });

  it('takes paths out of a hint', () => {
    expect(withoutPaths('Look at /home/ada/secret/app.js line 3, or C:\\Users\\ada\\app.js')).toBe('Look at …/app.js line 3, or …/app.js');
    const f = entryFields({ step: 's', checks: [check('a', 'failed', { hint: 'Your file /srv/ada/app.js lacks it.' })] }, { learner, name: 'A' });
    expect(f.checks).not.toContain('/srv/ada');
  });

  it('bounds a name and a slide it is given', () => {
    const f = entryFields({ step: 's', checks: [] }, { learner, name: 'x'.repeat(10_000), slide: '../../etc' });
    expect([...f.name!].length).toBe(limits.name);
    expect(f.slide).toBe('');
  });
});

describe('parseEntry: what the instructor accepts', () => {
  const good = entryFields({ step: 'step3', checks: [check('step3.a', 'passed'), check('step3.b', 'failed')] }, { learner, name: 'Ada', slide: 'step3/2' }, 5000);

  it('reads back what a learner sent', () => {
    expect(parseEntry(good, '5000-0')).toEqual({
      learner,
      name: 'Ada',
      step: 'step3',
      slide: 'step3/2',
      at: 5000,
      checks: [
        { id: 'step3.a', outcome: 'passed' },
        { id: 'step3.b', outcome: 'failed', info: { hint: 'Add `app.use(session())` before the routes.', slide: { deck: 'step3', n: 4, title: 'Sessions' } } },
      ],
    });
  });

  it('refuses what is not an entry of ours', () => {
    expect(parseEntry({ ...good, v: '2' })).toBeUndefined();
    expect(parseEntry({ ...good, learner: 'x' })).toBeUndefined();
    expect(parseEntry({ ...good, name: '\u0000\u0007 ' })).toBeUndefined();
    expect(parseEntry({ ...good, step: '<script>' })).toBeUndefined();
    expect(parseEntry({ ...good, checks: '{"not":"a list"}' })).toBeUndefined();
    expect(parseEntry({ ...good, checks: 'not json' })).toBeUndefined();
    expect(parseEntry({ ...good, checks: `[${'["a","p"],'.repeat(10_000)}["a","p"]]` })).toBeUndefined();
  });

  it('bounds a hostile name: 10 KB, markup and control characters become one short line of text', () => {
    const hostile = `<img src=x onerror=alert(1)>\u001b[31m\r\n\u202eevil${'A'.repeat(10_240)}`;
    const got = parseEntry({ ...good, name: hostile })!;
    expect([...got.name].length).toBeLessThanOrEqual(limits.name);
    expect(got.name).toMatch(/^<img src=x onerror=alert\(1\)> \[31m evil/);
    expect(got.name).not.toMatch(/[\u0000-\u001f\u202e]/);
  });

  it('drops checks with bad ids, unknown outcomes or twice the same id, and bounds hints', () => {
    const checks = JSON.stringify([['ok.id', 'p'], ['bad id <b>', 'p'], ['ok.id', 'f'], ['x', 'maybe'], ['y', 'f', 'h'.repeat(5000), ['step3', -1, 't']]]);
    const got = parseEntry({ ...good, checks })!;
    expect(got.checks.map((c) => c.id)).toEqual(['ok.id', 'y']);
    expect([...got.checks[1]!.info!.hint].length).toBe(limits.hint);
    expect(got.checks[1]!.info!.slide).toBeUndefined();
  });

  it("uses Redis's time when the learner's clock is far off", () => {
    expect(parseEntry({ ...good, at: String(5000 + 3_600_000) }, '5000-0')!.at).toBe(5000);
    expect(parseEntry({ ...good, at: 'soon' }, '7000-1')!.at).toBe(7000);
  });
});

describe('RoomState', () => {
  const failing = (id: string) => [{ id: 'step3.a', outcome: 'passed' as const }, { id, outcome: 'failed' as const, info: { hint: `fix ${id}` } }];

  it("keeps each learner's latest report, one row per learner id, sorted by name", () => {
    const room = new RoomState();
    room.apply(entry({ learner: 'bbbbbbbbbbbb', name: 'Bo', at: 1 }));
    room.apply(entry({ at: 2, step: 'step2' }));
    room.apply(entry({ at: 3, step: 'step3' }));
    room.apply(entry({ at: 1, step: 'step1' })); // older: a replay changes nothing
    const view = room.view(10);
    expect(view.learners.map((l) => [l.name, l.step])).toEqual([['Ada', 'step3'], ['Bo', 'step3']]);
  });

  it('gives the checks by id with their outcome', () => {
    const room = new RoomState();
    room.apply(entry({ checks: failing('step3.b') }));
    expect(room.view(1_000_000).learners[0]!.checks).toEqual({ 'step3.a': 'passed', 'step3.b': 'failed' });
  });

  it('says who has failed the same check for more than 10 minutes', () => {
    const room = new RoomState();
    const t0 = 1_000_000;
    room.apply(entry({ checks: failing('step3.b'), at: t0 }));
    room.apply(entry({ checks: failing('step3.b'), at: t0 + 5 * 60_000 }));
    expect(room.view(t0 + timing.stuckMs).stuck).toEqual([]);
    expect(room.view(t0 + timing.stuckMs + 1).stuck).toEqual([{ id: learner, name: 'Ada', step: 'step3', check: 'step3.b', since: t0 }]);
    // Moving on to another failing check starts the clock again.
    room.apply(entry({ checks: failing('step3.c'), at: t0 + 11 * 60_000 }));
    expect(room.view(t0 + 12 * 60_000).stuck).toEqual([]);
    // Passing ends it.
    room.apply(entry({ checks: [{ id: 'step3.c', outcome: 'passed' }], at: t0 + 30 * 60_000 }));
    expect(room.view(t0 + 31 * 60_000).learners[0]!.stuck).toBeUndefined();
  });

  it('lists the checks failing most across the room, with the latest hint and slide', () => {
    const room = new RoomState();
    room.apply(entry({ learner: 'aaaaaaaaaaaa', name: 'A', checks: failing('step3.b'), at: 1 }));
    room.apply(entry({ learner: 'bbbbbbbbbbbb', name: 'B', checks: failing('step3.b'), at: 2 }));
    room.apply(entry({ learner: 'cccccccccccc', name: 'C', checks: failing('step3.c'), at: 3 }));
    const { failing: top } = room.view(10);
    expect(top.map((f) => [f.id, f.count, f.names])).toEqual([['step3.b', 2, ['A', 'B']], ['step3.c', 1, ['C']]]);
    expect(top[0]!.hint).toBe('fix step3.b');
  });

  it('greys a learner silent for 5 minutes and forgets one gone for an hour', () => {
    const room = new RoomState();
    room.apply(entry({ at: 0 }));
    expect(room.view(timing.silentMs - 1).learners[0]!.silent).toBe(false);
    expect(room.view(timing.silentMs).learners[0]!.silent).toBe(true);
    expect(room.view(timing.goneMs).learners).toEqual([]);
    room.sweep(timing.goneMs);
    expect(room.size).toBe(0);
  });
});

describe('the room URL and name', () => {
  it('takes redis:// and rediss:// with a user and password, and says what is wrong otherwise', () => {
    expect(checkRoomUrl('rediss://learners:pw@room.example.com:6380').protocol).toBe('rediss:');
    expect(() => checkRoomUrl('http://room.example.com')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => checkRoomUrl('room.example.com')).toThrow(/not a Redis URL/);
  });

  it('shows the host and never the password', () => {
    expect(roomHost('rediss://learners:s3cret@room.example.com:6380')).toBe('rediss://room.example.com:6380');
  });

  it('wants a name', () => {
    expect(() => checkName('  \u0000 ')).toThrow(/--name/);
    expect(cleanText(' Ada\n L. ', 40)).toBe('Ada L.');
  });
});

describe('entriesOf: an XREAD reply', () => {
  it('reads entries, skipping what is malformed', () => {
    expect(entriesOf(null)).toEqual([]);
    expect(entriesOf([['k', [['1-0', ['v', '1', 'name', 'A']], ['bad'], ['2-0', ['v', '1', 'v', '2']]]]])).toEqual([
      { id: '1-0', fields: { v: '1', name: 'A' } },
      { id: '2-0', fields: { v: '1' } },
    ]);
  });
});
