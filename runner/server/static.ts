// Serving files from the few folders meant to be served, through
// safeResolve only: no express.static, whose path handling we'd have to
// trust instead of test.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Request, Response, NextFunction } from 'express';
import { safeResolve } from './security.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return types[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The raw path of a request below its mount point, still percent-encoded, without the query. */
export function rawPathOf(req: Request): string {
  const url = req.url;
  const q = url.search(/[?]/);
  return q < 0 ? url : url.slice(0, q);
}

/** Middleware serving the files of `root`; refuses the rest with a short 4xx. */
export function serveFolder(root: string, options: { maxAge?: number } = {}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const found = await safeResolve(root, rawPathOf(req));
    if (!found.ok) {
      res.status(found.status).type('text/plain').send(found.status === 404 ? 'Not found.' : 'Refused: bad path.');
      return;
    }
    try {
      const info = await stat(found.file);
      if (!info.isFile()) {
        res.status(404).type('text/plain').send('Not found.');
        return;
      }
      res.setHeader('Content-Type', contentType(found.file));
      res.setHeader('Content-Length', info.size);
      res.setHeader('Cache-Control', options.maxAge ? `max-age=${options.maxAge}` : 'no-cache');
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
    } catch {
      res.status(404).type('text/plain').send('Not found.');
    }
  };
}
