// A verify in the terminal and the room: the connection opens while the
// checks run (the `redis` package loads then, not before the run starts),
// the report is appended once it is printed, and the process waits at most
// FLUSH_MS for it before it exits. A room that cannot be reached is said in
// one line on stderr; the exit code and the output above are the verify's.
import pc from 'picocolors';
import { stateDir } from '../paths.ts';
import type { Report } from '../verify/report.ts';
import { readRoom, readSlide, roomHost } from './config.ts';
import { entryFields } from './entry.ts';
import type { Reporter } from './report.ts';

/** The longest a verify in the terminal waits, after its report is printed, for the room to take it. */
export const FLUSH_MS = 300;

export interface TerminalRoom {
  send(report: Pick<Report, 'step' | 'checks'>): void;
  /** Waits (at most FLUSH_MS) for what was sent, then closes the connection. */
  finish(): Promise<void>;
}

/** The room this learner joined, or undefined: nothing is loaded or opened without one. */
export function roomReporter(dir = stateDir()): TerminalRoom | undefined {
  const config = readRoom(dir);
  if (!config) return undefined;
  let said = '';
  const loading: Promise<Reporter | undefined> = import('./report.ts').then(
    ({ Reporter }) => {
      const reporter = new Reporter(config, (status) => {
        // Said once per reason: a watch keeps going, quietly, until the room answers again.
        if (status.state !== 'retrying' || status.message === said) return;
        said = status.message;
        console.error(pc.dim(`${status.message} Reports to the room wait until it answers; your checks are not affected.`));
      });
      reporter.warm();
      return reporter;
    },
    () => undefined,
  );
  let sent = false;
  return {
    send(report) {
      sent = true;
      const fields = entryFields(report, { learner: config.learner, name: config.name, slide: readSlide(dir) });
      void loading.then((r) => r?.send(fields));
    },
    async finish() {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const reporter = await Promise.race([loading, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), FLUSH_MS)))]);
      clearTimeout(timer);
      if (!reporter) return void loading.then((r) => r?.close());
      // A room already known to be unreachable is not waited for.
      const left = FLUSH_MS - (Date.now() - started);
      const delivered = sent && reporter.status.state !== 'retrying' && left > 0 ? await reporter.flush(left) : !sent;
      if (sent && !delivered && !said) console.error(pc.dim(`The room at ${roomHost(config.url)} did not take this report in time: it was not reported.`));
      reporter.close();
    },
  };
}
