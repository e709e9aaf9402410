// The learner's runner and its room: joined or not (.workshop/room.json),
// the reporter that sends each verify of the page, the slide the page
// shows, and what the page is told ('room' events: reporting to <host> as
// <name>, or retrying and why). Joining and leaving from the page go
// through here; from the terminal, through commands/join.ts and leave.ts.
import type { Report } from '../verify/report.ts';
import { checkName, checkRoomUrl, forgetRoom, readRoom, roomHost, roomKey, writeRoom, writeSlide, type RoomConfig } from './config.ts';
import { entryFields } from './entry.ts';
import type { Reporter, ReporterStatus } from './report.ts';

export type RoomStatus =
  | { joined: false }
  | { joined: true; host: string; name: string; state: ReporterStatus['state']; message?: string };

export class RoomLink {
  private config: RoomConfig | undefined;
  private reporter: Reporter | undefined;
  private slide = '';
  private slideTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly onStatus: (status: RoomStatus) => void,
  ) {
    this.config = readRoom(stateDir);
  }

  /** Follows .workshop/room.json: a `join` or `leave` in the terminal counts for the page's next verify too. */
  private refresh(): void {
    const now = readRoom(this.stateDir);
    const same = (a?: RoomConfig, b?: RoomConfig) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (same(now, this.config)) return;
    this.config = now;
    this.reporter?.close();
    this.reporter = undefined;
  }

  status(): RoomStatus {
    this.refresh();
    if (!this.config) return { joined: false };
    const s = this.reporter?.status;
    return {
      joined: true,
      host: roomHost(this.config.url),
      name: this.config.name,
      state: s?.state ?? 'idle',
      ...(s?.state === 'retrying' ? { message: s.message } : {}),
    };
  }

  /** The slide the page shows, `step3/7`: sent with the next report, and kept for the terminal's. */
  setSlide(slide: string): void {
    if (!/^[\w.-]{1,40}\/\d{1,4}$/.test(slide) || slide === this.slide) return;
    this.slide = slide;
    // Flipping through slides writes once they settle.
    clearTimeout(this.slideTimer);
    this.slideTimer = setTimeout(() => writeSlide(this.stateDir, slide), 500);
    this.slideTimer.unref();
  }

  /** A verify of the page ended: its result goes to the room, in the background. */
  report(report: Pick<Report, 'step' | 'checks'>): void {
    const before = JSON.stringify(this.config ?? null);
    this.refresh();
    if (JSON.stringify(this.config ?? null) !== before) this.onStatus(this.status());
    if (!this.config) return;
    const config = this.config;
    void this.ensureReporter().then((r) => r?.send(entryFields(report, { learner: config.learner, name: config.name, slide: this.slide })));
  }

  /** Joins from the page: the URL and name checked, one report appended now, the room remembered. */
  async join(urlText: unknown, nameText: unknown, step: string): Promise<RoomStatus> {
    const url = checkRoomUrl(typeof urlText === 'string' ? urlText.trim() : '').toString();
    const name = checkName(nameText);
    const { appendOnce } = await import('./report.ts');
    const previous = readRoom(this.stateDir);
    const draft = { url, name, key: roomKey(), learner: previous?.learner ?? '' };
    const config = writeRoom(this.stateDir, { ...draft, learner: previous?.learner });
    try {
      await appendOnce(config, entryFields({ step, checks: [] }, { learner: config.learner, name, slide: this.slide }));
    } catch (err) {
      // Not joined: what was there before stays.
      if (previous) writeRoom(this.stateDir, previous);
      else forgetRoom(this.stateDir);
      throw err;
    }
    this.reporter?.close();
    this.reporter = undefined;
    this.config = config;
    const status = this.status();
    this.onStatus(status);
    return status;
  }

  leave(): RoomStatus {
    forgetRoom(this.stateDir);
    this.reporter?.close();
    this.reporter = undefined;
    this.config = undefined;
    const status = this.status();
    this.onStatus(status);
    return status;
  }

  close(): void {
    clearTimeout(this.slideTimer);
    this.reporter?.close();
  }

  private async ensureReporter(): Promise<Reporter | undefined> {
    if (this.reporter) return this.reporter;
    const config = this.config;
    if (!config) return undefined;
    const { Reporter } = await import('./report.ts');
    if (this.config !== config) return undefined;
    this.reporter ??= new Reporter(config, () => this.onStatus(this.status()));
    return this.reporter;
  }
}
