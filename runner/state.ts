// The runner's state, in one place (like rustlings' AppState): the port and
// token of this run, the current step, the Redis in use, the two apps and
// the learner's progress. The web server reads it and asks it to act; the
// UI hears about every change through `events` ('update' with a topic).
//
// Slow parts (Redis, the apps) start after the page is served, so the first
// slide never waits for them; their status streams to the UI as it changes.
import { EventEmitter } from 'node:events';
import { forgetSkip, readProgress, recordProgress, type Progress, type StepRun } from './progress.ts';
import { needs } from './description.ts';
import { findStep, steps, workshop, type Step } from './steps.ts';
import { workspaceDir, stateDir } from './paths.ts';
import type { AppStatus, LogLine, SupervisedApp } from './apps.ts';
import type { Places } from './workspace/index.ts';

export type RedisState =
  /** No step of the workshop needs Redis: the runner starts none. */
  | { state: 'not-needed' }
  | { state: 'starting' }
  | { state: 'ready'; url: string; description: string; cli: string }
  /** It was ready, and stopped answering: the runner keeps looking, and says when it is back. */
  | {
      state: 'down';
      url: string;
      description: string;
      cli: string;
      /** What happened, and what it means for the app: "Redis stopped answering at …". */
      message: string;
      /** What to do, for the terminal, and for the page when it can't offer the button. */
      todo: string;
      /** The workshop started this Redis, so it can start it again (POST /api/redis/start). */
      canStart: boolean;
      /** Starting it again right now. */
      restarting: boolean;
    }
  | { state: 'unavailable'; message: string };

/** What the page may ask of the Redis in use. */
export interface RedisControl {
  /** Starts the Redis the workshop started again; a refusal or failure as a status and one sentence. */
  startAgain(): Promise<{ status: number; message: string } | undefined>;
}

export interface StepView {
  name: string;
  number: number;
  title: string;
  /** What the step's app needs (workshop.json): the page shows the Redis inspector for a step with Redis. */
  services: string[];
  status: 'passed' | 'skipped' | 'todo';
  /**
   * Its latest run on the workspace, what its tab shows: absent before the
   * first, or when a skip came after it. `stale`: the workspace changed since.
   */
  run?: Omit<StepRun, 'at'> & { at: number; stale?: boolean };
}

/** What changed the workspace, and when (ms since the epoch). */
export interface WorkspaceChange {
  at: number;
  /** Completes "These results are from before …": "your last change (app.js)". */
  what: string;
}

/** What the UI is told on connect and after every change. */
export interface Snapshot {
  current: string;
  steps: StepView[];
  redis: RedisState;
  apps: AppStatus[];
  watch: boolean;
  workspace: string;
}

export type Topic = 'state' | 'log' | 'inspector' | 'check' | 'verify-start' | 'verify-end' | 'result' | 'decks' | 'room';

export interface WorkshopEvent {
  topic: Topic;
  data: unknown;
}

/** The first step neither passed nor skipped: where a returning learner picks up. */
export function firstOpenStep(progress: Progress): Step {
  return steps().find((s) => !progress.steps[s.name]) ?? steps()[steps().length - 1]!;
}

export function stepViews(progress: Progress, change?: WorkspaceChange): StepView[] {
  return steps().map((s) => {
    const view: StepView = { name: s.name, number: s.number, title: s.title, services: s.services, status: progress.steps[s.name]?.status ?? 'todo' };
    const run = latestRun(progress, s.name);
    if (run) view.run = { ...run, at: Date.parse(run.at), ...(change && change.at > Date.parse(run.at) ? { stale: true } : {}) };
    return view;
  });
}

/**
 * A step's latest run; a pass recorded before runs were (an older
 * progress.json) counts as one. A skip after the run hides it: the tab
 * then says "skipped".
 */
function latestRun(progress: Progress, step: string): StepRun | undefined {
  const entry = progress.steps[step];
  const run = progress.runs?.[step] ?? (entry?.status === 'passed' ? { outcome: 'passed', passed: 0, failed: 0, skipped: 0, at: entry.at } : undefined);
  if (!run || (entry?.status === 'skipped' && entry.at > run.at)) return undefined;
  return run;
}

export class WorkshopState {
  readonly events = new EventEmitter();
  readonly token: string;
  port = 0;
  step: Step;
  progress: Progress;
  redis: RedisState = needs(workshop(), 'redis') ? { state: 'starting' } : { state: 'not-needed' };
  apps: { workspace?: SupervisedApp; solution?: SupervisedApp } = {};
  /** Set once Redis is found: how the page starts it again. */
  redisControl: RedisControl | undefined;
  /**
   * The ports the two apps get, chosen before the page is first served: its
   * Content-Security-Policy, fixed when it loads, must already allow framing them.
   */
  appPorts = { workspace: 0, solution: 0 };
  /** Re-verify the workspace when its files change. */
  watch = false;
  /**
   * The last change of the workspace: results from before it are stale. A
   * runner starting again cannot know what changed while it was stopped,
   * so the runs recorded before it are stale too.
   */
  workspaceChange: WorkspaceChange = { at: Date.now(), what: 'the workshop started again' };
  readonly env: NodeJS.ProcessEnv;

  constructor(options: { token: string; progress: Progress; env?: NodeJS.ProcessEnv }) {
    this.token = options.token;
    this.progress = options.progress;
    this.step = firstOpenStep(options.progress);
    this.env = options.env ?? process.env;
    this.events.setMaxListeners(100);
  }

  static async load(token: string, env: NodeJS.ProcessEnv = process.env): Promise<WorkshopState> {
    return new WorkshopState({ token, env, progress: await readProgress(stateDir(env)) });
  }

  get workspace(): string {
    return workspaceDir(this.env);
  }

  get stateDir(): string {
    return stateDir(this.env);
  }

  /** The workspace and state folders, as the workspace functions take them. */
  get places(): Places {
    return { workspace: this.workspace, state: this.stateDir };
  }

  /** The apps that exist so far: the learner's first, then the step solution. */
  get appList(): SupervisedApp[] {
    return [this.apps.workspace, this.apps.solution].filter((a) => a !== undefined);
  }

  snapshot(): Snapshot {
    return {
      current: this.step.name,
      steps: stepViews(this.progress, this.workspaceChange),
      redis: this.redis,
      apps: this.appList.map((a) => this.withRedis(a.status)),
      watch: this.watch,
      workspace: this.workspace,
    };
  }

  /**
   * An app of a step with Redis, running while Redis is down, is not simply
   * "running": its sessions fail (and its page may count "1 time" forever).
   */
  private withRedis(status: AppStatus): AppStatus {
    if (this.redis.state !== 'down' || status.state !== 'running' || !this.step.services.includes('redis')) return status;
    return { ...status, redisDown: true, message: 'Redis is down, so its sessions fail until Redis is back.' };
  }

  emit(topic: Topic, data: unknown): void {
    this.events.emit('update', { topic, data } satisfies WorkshopEvent);
  }

  changed(): void {
    this.emit('state', this.snapshot());
  }

  setRedis(redis: RedisState): void {
    this.redis = redis;
    this.changed();
  }

  /** Adopts an app: its status and log lines flow to the UI. */
  adopt(app: SupervisedApp): void {
    this.apps[app.id] = app;
    app.on('status', () => this.changed());
    app.on('log', (line: LogLine) => this.emit('log', line));
  }

  /** Makes `name` the current step; the solution pane follows it. */
  async goTo(name: string): Promise<Step> {
    const step = findStep(name);
    if (!step) throw new Error(`unknown step ${name}`);
    this.step = step;
    this.changed();
    await this.apps.solution?.setDir(step.dir);
    return step;
  }

  /** Records a skip (never a pass) and moves on to the next step, if any. */
  async skip(name: string): Promise<Step> {
    const step = findStep(name);
    if (!step) throw new Error(`unknown step ${name}`);
    this.progress = await recordProgress(step.name, 'skipped', this.stateDir);
    const next = steps().find((s) => s.number === step.number + 1) ?? step;
    return this.goTo(next.name);
  }

  /** Takes a skip back (a pass stays recorded) and returns to that step. */
  async unskip(name: string): Promise<Step> {
    const step = findStep(name);
    if (!step) throw new Error(`unknown step ${name}`);
    this.progress = await forgetSkip(step.name, this.stateDir);
    return this.goTo(step.name);
  }

  async reloadProgress(): Promise<void> {
    this.progress = await readProgress(this.stateDir);
    this.changed();
  }

  setWatch(on: boolean): void {
    this.watch = on;
    this.changed();
  }
}
