// 200 concurrent requests to the UI and the inspector's stream while a
// verify runs in the runner: every one answered (2xx: the runner serves one
// learner on loopback and has no reason to refuse), the verify's verdict
// unchanged, the runner's memory bounded, nothing left running.
import { describe, expect, it } from 'vitest';
import { steps } from '../../runner/steps.ts';
import { redisTraffic, throwawayRedis, trafficSince } from '../helpers/redis.ts';
import { startWorkshopRunner } from '../helpers/workshop-runner.ts';
import { expectNoOrphans, newMarker, openEvents, picture, post, rssMb, untilState } from './helpers.ts';
import { runnerFetch } from '../helpers/runner-http.ts';

/** Opens the event stream as a page does and reads until the inspector's first frame; the status. */
async function inspectorOnce(base: string, token: string): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(new URL('api/events', base), { headers: { 'X-Workshop-Token': token }, signal: controller.signal });
  if (res.status !== 200 || !res.body) return res.status;
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (/event: inspector\n/.test(text)) break;
    }
  } finally {
    controller.abort();
  }
  return /event: inspector\n/.test(text) ? 200 : 0;
}

describe('200 concurrent requests while a verify runs', () => {
  it('all answered, the verdict right, the runner\'s memory bounded', async () => {
    const learner = await throwawayRedis();
    const m = newMarker();
    const runner = await startWorkshopRunner({ workspaceFrom: steps()[2]!.dir, env: { ...m.env, REDIS_URL: learner.url } });
    const before = await picture(runner.workspace);
    try {
      await learner.client.set('learner:note', 'mine');
      const events = await openEvents(runner.link);
      await untilState(runner.link, 'the apps on Redis', (s) => s.redis.state === 'ready' && s.apps.length === 2 && s.apps.every((a) => a.state === 'running'));
      await events.next('the inspector', (f) => f.event === 'inspector');
      const rssBefore = await rssMb(runner.process.pid);

      const traffic = await redisTraffic(learner.client);
      expect((await post(runner.link, events.token, 'verify', { step: 'step3' })).status).toBe(202);
      await events.next('the verify starting', (f) => f.event === 'verify-start' && f.data.plan.length > 0);

      let peak = rssBefore;
      const sampler = setInterval(() => void rssMb(runner.process.pid).then((mb) => (peak = Math.max(peak, mb)), () => {}), 50);
      const ui = ['', 'api/state', 'api/decks/step3/1', 'api/decks/step3', 'ui/main.js'];
      const requests = Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? runnerFetch(runner.link, ui[(i / 2) % ui.length]!, { signal: AbortSignal.timeout(20_000) }).then(async (r) => (await r.arrayBuffer(), r.status))
          : inspectorOnce(runner.url, events.token),
      );
      const statuses = await Promise.all(requests.map((r) => r.catch((err: Error) => `${err.name}: ${err.message}`)));
      const bad = statuses.filter((s) => typeof s !== 'number' || s < 200 || s > 299);
      expect(bad, 'requests not answered 2xx').toEqual([]);

      const end = await events.next('the verify ending', (f) => f.event === 'verify-end', 60_000);
      clearInterval(sampler);
      expect(end.data.error).toBeUndefined();
      expect(end.data.report.failed).toBe(0);
      expect(end.data.report.passed).toBe(end.data.report.checks.length);
      expect(peak).toBeLessThan(250);
      // The runner still answers at once afterwards.
      const t = performance.now();
      expect((await runnerFetch(runner.link, 'api/state')).status).toBe(200);
      expect(performance.now() - t).toBeLessThan(5000); // answering, not stuck; room for a loaded machine
      // The runner's apps and inspector use the learner's Redis; the verify has its own, so nothing was written here.
      expect(trafficSince(traffic, await redisTraffic(learner.client)).writes).toEqual({});
      expect(await learner.client.get('learner:note')).toBe('mine');
      events.close();
    } finally {
      const after = await picture(runner.workspace);
      await runner.stop();
      await learner.dispose();
      await expectNoOrphans(m);
      expect(after).toEqual(before);
    }
  }, 90_000);
});
