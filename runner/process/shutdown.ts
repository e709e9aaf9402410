// For commands that run until interrupted: on Ctrl-C, SIGTERM or SIGHUP, run
// the cleanups (bounded in time), stop every child, and exit 130/143/129.
import { stopAll } from './child.ts';

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
let handlersInstalled = false;

export function onShutdown(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  if (handlersInstalled) return;
  handlersInstalled = true;
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.once(signal, async () => {
      const force = setTimeout(() => process.exit(codes[signal]), 5000);
      force.unref();
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch {
          // keep shutting down
        }
      }
      await stopAll();
      process.exit(codes[signal]);
    });
  }
}
