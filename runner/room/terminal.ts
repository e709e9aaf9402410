// A verify in the terminal and the room. A single verify hands its report,
// once printed, to a short-lived process of its own (`workshop room-send`,
// detached, ending within a few seconds whatever the room does) and exits at
// once: loading a Redis client and reaching the room cost a verify nothing.
// That process records a room it could not reach in .workshop/room-last.json,
// and the next verify says so, once. A verify --watch, which lives on,
// reports from its own process, through the same Reporter as the page.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import pc from 'picocolors';
import { engineRoot, stateDir } from '../paths.ts';
import type { Report } from '../verify/report.ts';
import { readRoom, readSlide, type RoomConfig } from './config.ts';
import { entryFields } from './entry.ts';
import type { Reporter } from './report.ts';

export interface TerminalRoom {
  send(report: Pick<Report, 'step' | 'checks'>): void;
  /** Ends the room's part: a watch's connection closes. */
  finish(): Promise<void>;
}

/** The environment variable that carries a report to `room-send`. */
export const FIELDS_ENV = 'WORKSHOP_ROOM_FIELDS';

interface LastSend {
  ok: false;
  message: string;
  at: number;
  said?: boolean;
}

const lastFile = (dir: string) => join(dir, 'room-last.json');

function readLast(dir: string): LastSend | undefined {
  try {
    const data = JSON.parse(readFileSync(lastFile(dir), 'utf8')) as LastSend;
    return data && data.ok === false && typeof data.message === 'string' ? data : undefined;
  } catch {
    return undefined;
  }
}

/** `room-send`'s record of a room it could not reach (undefined: it could). */
export function recordLast(dir: string, message: string | undefined): void {
  try {
    if (message === undefined) unlinkSync(lastFile(dir));
    // The same failure again is not news: what was said stays said.
    else writeFileSync(lastFile(dir), JSON.stringify({ ok: false, message, at: Date.now(), said: readLast(dir)?.message === message && readLast(dir)?.said } satisfies LastSend));
  } catch {
    // nothing to remove, or an unwritable state folder: the next verify says nothing
  }
}

/** Says, once, that the last report did not reach the room. */
function sayLast(dir: string): void {
  const last = readLast(dir);
  if (!last || last.said) return;
  console.error(pc.dim(`Your last report did not reach the room: ${last.message} Reports go on being sent; your checks are not affected.`));
  try {
    writeFileSync(lastFile(dir), JSON.stringify({ ...last, said: true }));
  } catch {
    // said anyway
  }
}

/** The room this learner joined, or undefined: nothing is started or loaded without one. */
export function roomReporter(options: { watch?: boolean; dir?: string } = {}): TerminalRoom | undefined {
  const dir = options.dir ?? stateDir();
  const config = readRoom(dir);
  if (!config) return undefined;
  sayLast(dir);
  return options.watch ? watchReporter(config, dir) : {
    send(report) {
      const fields = entryFields(report, { learner: config.learner, name: config.name, slide: readSlide(dir) });
      try {
        const child = spawn(process.execPath, [join(engineRoot, 'launch.js'), 'room-send'], {
          detached: true,
          stdio: 'ignore',
          env: { ...process.env, [FIELDS_ENV]: JSON.stringify(fields), WORKSHOP_STATE: dir },
        });
        child.on('error', () => {});
        child.unref();
      } catch {
        // no report this time; the verify is what matters
      }
    },
    finish: async () => {},
  };
}

function watchReporter(config: RoomConfig, dir: string): TerminalRoom {
  let said = '';
  const loading: Promise<Reporter | undefined> = import('./report.ts').then(
    ({ Reporter }) =>
      new Reporter(config, (status) => {
        if (status.state !== 'retrying' || status.message === said) return;
        said = status.message;
        console.error(pc.dim(`${status.message} Reports to the room wait until it answers; your checks are not affected.`));
      }),
    () => undefined,
  );
  return {
    send(report) {
      const fields = entryFields(report, { learner: config.learner, name: config.name, slide: readSlide(dir) });
      void loading.then((r) => r?.send(fields));
    },
    async finish() {
      (await loading)?.close();
    },
  };
}
