// The learner page's room: GET /api/room/status (joined, where, as whom,
// retrying and why), POST /api/room/join { url, name }, POST
// /api/room/leave, POST /api/room/slide { slide: "step3/7" } (the slide the
// page shows, sent with the next report). app.ts has checked the token,
// Origin and page key as for every change.
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { WorkshopState } from '../state.ts';
import type { RoomLink } from '../room/learner.ts';
import { RoomError } from '../room/config.ts';

const body = (req: Request): Record<string, unknown> => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

export function roomRouter(room: RoomLink, state: WorkshopState): Router {
  const api = express.Router({ caseSensitive: true, strict: true });
  api.use(express.json({ limit: '4kb' }));
  api.get('/status', (_req, res) => {
    res.json(room.status());
  });
  api.post('/join', (req: Request, res: Response, next: NextFunction) => {
    const { url, name } = body(req);
    room.join(url, name, state.step.name).then(
      (status) => res.json(status),
      (err: unknown) => {
        if (err instanceof RoomError) res.status(400).json({ error: err.message });
        else if (err instanceof Error && !(err as { status?: number }).status) res.status(502).json({ error: err.message });
        else next(err);
      },
    );
  });
  api.post('/leave', (_req, res) => {
    res.json(room.leave());
  });
  api.post('/slide', (req, res) => {
    const slide = body(req).slide;
    if (typeof slide === 'string') room.setSlide(slide);
    res.status(204).end();
  });
  return api;
}
