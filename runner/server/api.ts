// The UI's HTTP API. Reads are GETs; everything that changes state is a
// POST with a JSON body, and app.ts has already checked its Origin and
// token. Every failure is one sentence in { error }, with what to do.
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { workshopRoot } from '../paths.ts';
import { findStep, unknownStepMessage } from '../steps.ts';
import type { WorkshopState } from '../state.ts';
import type { DeckCache } from './decks.ts';
import type { EventHub } from './events.ts';
import type { Verifier } from './verifier.ts';
import { existingRefs, openableFile, openInEditor, parseFileRef, type FileRoots } from './editor.ts';
import { contentFolders } from '../description.ts';
import { workshop } from '../steps.ts';
import { loadWorkspace } from './others.ts';

export interface ApiContext {
  state: WorkshopState;
  decks: DeckCache;
  hub: EventHub;
  verifier: Verifier;
}

/** A learner-facing refusal: status and one sentence. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
  fn(req, res).catch(next);
};

function stepParam(value: unknown) {
  const step = typeof value === 'string' ? findStep(value) : undefined;
  if (!step) throw new ApiError(404, unknownStepMessage(typeof value === 'string' ? value : undefined));
  return step;
}

/** Runs a swap of the workspace folder with the learner's app stopped, then starts it on the new files. */
async function whileSuspended<T>(state: WorkshopState, swap: () => Promise<T>): Promise<T> {
  const app = state.apps.workspace;
  await app?.suspend();
  try {
    return await swap();
  } finally {
    void app?.start();
  }
}

function bodyOf(req: Request): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
}

export function apiRouter(ctx: ApiContext): Router {
  const { state, decks, hub, verifier } = ctx;
  // What "open in editor" may open: the workspace, the steps and the slides; nothing else of the repository.
  const fileRoots = (): FileRoots => ({ workspace: state.workspace, repo: workshopRoot(), open: [state.workspace, ...contentFolders(workshop())] });
  const api = express.Router({ caseSensitive: true, strict: true });
  api.use(express.json({ limit: '16kb' }));

  api.get('/state', (_req, res) => {
    res.json(state.snapshot());
  });

  api.get('/events', (req, res) => hub.connect(req, res));

  api.get('/decks/:step', wrap(async (req, res) => {
    const step = stepParam(req.params.step);
    const deck = await decks.get(step.name);
    res.json(deck);
  }));

  // One slide: what the page asks for first, and what the benchmark times.
  api.get('/decks/:step/:n', wrap(async (req, res) => {
    const step = stepParam(req.params.step);
    const deck = (await decks.get(step.name))!;
    const n = Number(req.params.n);
    const slide = Number.isInteger(n) ? deck.slides[n - 1] : undefined;
    if (!slide) throw new ApiError(404, `${step.name} has ${deck.slides.length} slides; there is no slide ${String(req.params.n)}.`);
    res.json({ step: step.name, total: deck.slides.length, slide });
  }));

  api.post('/step', wrap(async (req, res) => {
    const step = stepParam(bodyOf(req).step);
    await state.goTo(step.name);
    res.json(state.snapshot());
  }));

  api.post('/skip', wrap(async (req, res) => {
    const step = stepParam(bodyOf(req).step ?? state.step.name);
    await state.skip(step.name);
    res.json(state.snapshot());
  }));

  api.post('/unskip', wrap(async (req, res) => {
    const step = stepParam(bodyOf(req).step ?? state.step.name);
    await state.unskip(step.name);
    res.json(state.snapshot());
  }));

  // A step's last result, kept across pages and reloads; null before its first run.
  api.get('/results/:step', wrap(async (req, res) => {
    const step = stepParam(req.params.step);
    res.json({ step: step.name, result: verifier.resultOf(step.name) ?? null });
  }));

  api.post('/verify', wrap(async (req, res) => {
    const step = stepParam(bodyOf(req).step ?? state.step.name);
    void verifier.run(step.name);
    // Results stream over /api/events as each check completes.
    res.status(202).json({ step: step.name });
  }));

  api.post('/watch', wrap(async (req, res) => {
    state.setWatch(bodyOf(req).on === true);
    res.json({ watch: state.watch });
  }));

  // Starts the redis-server the workshop started again, after it stopped (same port, same data).
  api.post('/redis/start', wrap(async (_req, res) => {
    if (!state.redisControl) throw new ApiError(409, 'The workshop has no Redis to start: it is still looking for one, or none was found (the header says why).');
    const refused = await state.redisControl.startAgain();
    if (refused) throw new ApiError(refused.status, refused.message);
    res.json(state.snapshot());
  }));

  api.post('/apps/:id/restart', wrap(async (req, res) => {
    const app = state.appList.find((a) => a.id === req.params.id);
    if (!app) throw new ApiError(404, 'There is no such app: use "workspace" or "solution".');
    void app.restart();
    res.status(202).json({ id: app.id });
  }));

  api.post('/switch', wrap(async (req, res) => {
    const step = stepParam(bodyOf(req).step);
    const ws = await loadWorkspace();
    const result = await whileSuspended(state, () => ws.switchTo(step.name, { places: state.places }));
    if (result.switched) verifier.workspaceChanged(`the switch to ${step.name}'s solution`);
    res.json({ result, state: state.snapshot() });
  }));

  // Back to where a step starts (the step before's solution), after a backup.
  api.post('/reset', wrap(async (req, res) => {
    const step = stepParam(bodyOf(req).step ?? state.step.name);
    const ws = await loadWorkspace();
    const result = await whileSuspended(state, () => ws.resetStep(step.name, { places: state.places }));
    if (result.switched) verifier.workspaceChanged(`the reset of ${step.name}`);
    res.json({ result, state: state.snapshot() });
  }));

  api.get('/backups', wrap(async (_req, res) => {
    const ws = await loadWorkspace();
    res.json({ backups: await ws.listBackups({ places: state.places }) });
  }));

  // "Show more" in the inspector: a string's next 64 KB from a byte offset, or more elements of
  // another type, with the full size and the next offset. It only reads Redis.
  api.get('/inspector/value', wrap(async (req, res) => {
    const { key, offset = '0' } = req.query;
    if (typeof key !== 'string' || !key) throw new ApiError(400, 'Name the key to read, as ?key=<key>.');
    if (typeof offset !== 'string') throw new ApiError(400, 'Give one offset, as &offset=0 or the "next" of the last chunk.');
    const chunk = await hub.readValue(key, offset);
    if ('status' in chunk) throw new ApiError(chunk.status, chunk.message);
    res.json(chunk);
  }));

  api.post('/restore', wrap(async (req, res) => {
    const name = bodyOf(req).name;
    if (typeof name !== 'string' || !name) throw new ApiError(400, 'Name the backup to restore.');
    const ws = await loadWorkspace();
    const result = await whileSuspended(state, () => ws.restoreBackup(name, { places: state.places }));
    if (result.switched) verifier.workspaceChanged('the restore of a backup');
    res.json({ result, state: state.snapshot() });
  }));

  api.get('/diff/:step', wrap(async (req, res) => {
    const step = stepParam(req.params.step);
    const ws = await loadWorkspace();
    res.json({ step: step.name, diff: await ws.diffAgainst(step.name, { places: state.places }) });
  }));

  api.post('/open', wrap(async (req, res) => {
    const text = bodyOf(req).file;
    const ref = typeof text === 'string' ? parseFileRef(text) : undefined;
    if (!ref) throw new ApiError(400, 'Name a file to open, like workspace/app.js:12.');
    const file = await openableFile(ref, fileRoots());
    if (!file) throw new ApiError(404, `There is no file ${ref.path}${ref.line ? ` with a line ${ref.line}` : ''} in your workspace or the workshop's steps and slides.`);
    const failed = await openInEditor(file, ref);
    // No editor is no fault of the request: the page shows the path to copy instead.
    if (failed) res.json({ opened: null, file, line: ref.line ?? null, error: failed });
    else res.json({ opened: file, line: ref.line ?? null });
  }));

  // Which of the file references in a text exist: the page makes "open in editor" buttons of those only.
  api.post('/files', wrap(async (req, res) => {
    const refs = bodyOf(req).refs;
    if (!Array.isArray(refs) || refs.length > 200 || !refs.every((r) => typeof r === 'string' && r.length < 1000)) {
      throw new ApiError(400, 'Send the file references to look up as { refs: [...] }, at most 200.');
    }
    res.json({ exists: await existingRefs(refs as string[], fileRoots()) });
  }));

  api.use((_req, _res, next) => next(new ApiError(404, 'There is no such API endpoint.')));
  return api;
}
