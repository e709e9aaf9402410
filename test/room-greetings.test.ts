// The room on another workshop of the engine (the greetings fixture, a
// package of its own): its own stream, its own steps, check ids, hints and
// slides, with nothing written for the room.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayRedis, type ThrowawayRedis } from './helpers/redis.ts';
import { greetingsCopy, workshopIn, type GreetingsCopy } from './helpers/greetings.ts';
import { startRoom } from './helpers/room.ts';
import { runnerFetch } from './helpers/runner-http.ts';
import { waitFor } from './helpers/workshop-runner.ts';
import { roomKey } from '../runner/room/config.ts';

let redis: ThrowawayRedis;
let copy: GreetingsCopy;

beforeAll(async () => {
  redis = await throwawayRedis();
  copy = await greetingsCopy('greetings-room-');
  await cp(join(copy.root, 'steps/page'), join(copy.root, 'workspace'), { recursive: true });
});

afterAll(async () => {
  await copy?.dispose();
  await redis?.dispose();
});

describe('a room of the greetings workshop', () => {
  it("reports the workshop's own steps and checks, to its own stream, and links its own slides", async () => {
    expect(roomKey(copy.root)).toBe('workshop-room:greetings-workshop');
    const joined = await workshopIn(copy.root, ['join', redis.url, '--name', 'Gina']);
    expect(joined.stdout).toMatch(/Joined the room at redis:\/\/127\.0\.0\.1:\d+ as Gina\./);
    const verify = await workshopIn(copy.root, ['verify', 'api']);
    expect(verify.exitCode).toBe(1); // the page step's app does not do the api step
    await waitFor('the report', async () => (await redis.client.xLen('workshop-room:greetings-workshop')) === 2);

    const room = await startRoom(redis.url, { workshop: copy.root });
    try {
      const view = await room.view();
      expect(view.room.key).toBe('workshop-room:greetings-workshop');
      const gina = view.learners.find((l) => l.name === 'Gina')!;
      expect(gina.step).toBe('api');
      expect(Object.keys(gina.checks).every((id) => /^(page|api)\./.test(id))).toBe(true);
      const failing = view.failing[0]!;
      expect(failing.id).toMatch(/^api\./);
      expect(failing.slide?.deck).toBe('api');
      const slide = await runnerFetch(room.link, `slide/api/${failing.slide!.n}`);
      expect(slide.status).toBe(200);
    } finally {
      await room.stop();
    }
  });
});
