// Apps that tests start and must stop: step apps, and a step's solution
// (steps/step3, steps/step4) copied to a temporary folder with a fixture's
// files over it (a mistake, or a variant), as the engine runs an overlay
// fixture (runner/verify/fixture.ts).
// Used by troubleshooting.test.ts and deck-claims.test.ts.
import { join } from 'node:path';
import { overlayApp } from '../runner/verify/fixture.ts';
import { startApp, type RunningApp } from './helpers/app.ts';
import { repo } from './helpers/verify-cli.ts';

export function fixtureApps(env: () => Record<string, string>) {
  const running: RunningApp[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  /** steps/<step> in a temporary folder, with the files of `fixture` (a folder) over it. */
  async function stepWith(step: string, fixture: string): Promise<string> {
    const app = await overlayApp(join(repo, 'steps', step), fixture);
    cleanups.push(app.dispose);
    return app.dir;
  }
  return {
    async start(dir: string, extra: Record<string, string> = {}): Promise<RunningApp> {
      const app = await startApp(dir, { ...env(), ...extra });
      running.push(app);
      return app;
    },
    async stop(app: RunningApp): Promise<void> {
      await app.stop();
      running.splice(running.indexOf(app), 1);
    },
    stepWith,
    /** steps/step3 with the files of `fixture` over it. */
    step3With: (fixture: string) => stepWith('step3', fixture),
    /** Stops every app still running (their folders stay until dispose). */
    async stopAll(): Promise<void> {
      await Promise.all(running.splice(0).map((a) => a.stop()));
    },
    /** Runs `cleanup` when everything is disposed of. */
    later(cleanup: () => Promise<void>): void {
      cleanups.push(cleanup);
    },
    async dispose(): Promise<void> {
      await Promise.all(running.map((a) => a.stop()));
      for (const cleanup of cleanups.splice(0)) await cleanup();
    },
  };
}
