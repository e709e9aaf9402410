// Another user of the machine, who knows only the runner's port: every
// request it can send to 127.0.0.1, with any Host, Origin or cookie it
// likes (a local process forges those at will), and every file of the
// learner's it can try to read. Plain JavaScript, run as its own process
// (as another uid when the tests run as root). Prints one JSON report.
//
//   node second-user.mjs <port> <the learner's .workshop folder>
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const port = Number(process.argv[2]);
const stateDir = process.argv[3];
const own = `http://127.0.0.1:${port}`;

/** One raw request; the answer's status, headers and first 64 KB. */
function send(method, target, headers = {}, body) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    let data = '';
    const done = () => {
      socket.destroy();
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ method, target, status, head, body: rest.join('\r\n\r\n').slice(0, 65536) });
    };
    socket.setTimeout(5000, done);
    socket.on('data', (chunk) => {
      data += chunk;
      // A stream that answered 200 never ends: its head is enough.
      if (data.length > 65536 || (/^HTTP\/1\.1 200/.test(data) && /text\/event-stream/.test(data))) done();
    });
    socket.on('end', done);
    socket.on('error', done);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
  });
}

// What a forger adds: our own Origin, a guessed page key, cookies that look like ours.
const forged = {
  Origin: own,
  'X-Workshop-Page': 'guess',
  'X-Workshop-Token': 'guess',
  Cookie: `workshop-${port}=guess; token=guess`,
  'Sec-Fetch-Site': 'same-origin',
};
const json = { ...forged, 'Content-Type': 'application/json' };

const reads = ['/', '/?token=guess', '/api/state', '/api/diff/step1', '/api/backups', '/api/results/step1', '/api/decks/step1',
  '/api/decks/step1/1', '/deck.css', '/slides/img/session-visits.png', '/api/events', '/api/inspector/value?key=x'];
const requests = [
  ...reads.map((path) => ['GET', path, {}]),
  ...reads.map((path) => ['GET', path, forged]),
  ['POST', '/api/switch', json, '{"step":"step3"}'],
  ['POST', '/api/reset', json, '{"step":"step2"}'],
  ['POST', '/api/restore', json, '{"name":"x"}'],
  ['POST', '/api/step', json, '{"step":"step4"}'],
  ['POST', '/api/skip', json, '{"step":"step2"}'],
  ['POST', '/api/open', json, '{"file":".git/config"}'],
  ['POST', '/api/open', json, '{"file":"workspace/app.js:1"}'],
  ['POST', '/api/files', json, '{"refs":["workspace/app.js"]}'],
  ['POST', '/api/verify', json, '{"step":"step2"}'],
  ['POST', '/api/watch', json, '{"on":true}'],
  ['POST', '/api/apps/workspace/restart', json, '{}'],
  // The absolute form: the right Host header, with our address or another in the request line.
  ['GET', `${own}/api/state`, {}],
  ['GET', `${own}/api/diff/step1`, forged],
  ['GET', 'http://evil.example/', {}],
  ['GET', 'http://evil.example/api/state', forged],
  // An upgrade, as a WebSocket client would ask.
  ['GET', '/api/events', { ...forged, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }],
];

const answers = [];
for (const [method, target, headers, body] of requests) answers.push(await send(method, target, headers, body));

// The public page's own files: fine to read, and they must not hold the token.
const publicFiles = [];
for (const path of ['/ui/door.css', '/ui/enter.js', '/ui/main.js', '/ui/api.js', '/ui/index.html']) publicFiles.push(await send('GET', path));

/** The learner's files this user tries to read: the token, the page the browser was opened on, the claim. */
const files = {};
for (const name of ['token', 'open.html', 'runner.json']) {
  try {
    files[name] = { read: true, text: readFileSync(join(stateDir, name), 'utf8') };
  } catch (err) {
    files[name] = { read: false, code: err.code };
  }
}

process.stdout.write(JSON.stringify({ uid: process.getuid(), answers, publicFiles, files }));
