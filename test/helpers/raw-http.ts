// Requests exactly as an attacker would write them: a raw socket, so the
// path, the Host header (or its absence) and every other byte go out as
// given, with no client library cleaning them up first.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  /** Header lines in order; `Host` is not added for you (leave it out to send none). */
  headers?: [string, string][];
  body?: string;
  /** HTTP/1.0 lets a request go without Host. */
  version?: '1.1' | '1.0';
  /** Stop reading after the headers (for streams that never end). */
  headOnly?: boolean;
}

export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    const lines = [`${req.method ?? 'GET'} ${req.path} HTTP/${req.version ?? '1.1'}`];
    for (const [k, v] of req.headers ?? []) lines.push(`${k}: ${v}`);
    lines.push('Connection: close');
    if (req.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(req.body)}`);
    const finish = () => {
      socket.destroy();
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    };
    socket.setEncoding('latin1');
    socket.setTimeout(5000, () => reject(new Error(`no answer to ${req.path}`)));
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (req.headOnly && data.includes('\r\n\r\n')) finish();
    });
    socket.on('end', finish);
    socket.on('error', (err) => (data ? finish() : reject(err)));
    socket.write(lines.join('\r\n') + '\r\n\r\n' + (req.body ?? ''), 'latin1');
  });
}
