// A room on rediss:// (TLS), with a user and password in the URL, as a
// managed Redis gives it: a real redis-server with TLS only (its certificate
// made here by openssl, trusted through NODE_EXTRA_CA_CERTS as a private CA
// would be), a learner who joins and verifies in the terminal, and the room
// page reading it.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild, type Child } from '../runner/process/child.ts';
import { freePort } from '../runner/process/ports.ts';
import { findOnPath } from '../runner/redis.ts';
import { runWorkshopCommand, startRoom } from './helpers/room.ts';
import { runCli, tempApp } from './helpers/verify-cli.ts';
import { repoRoot } from './helpers/repo.ts';
import { waitFor } from './helpers/workshop-runner.ts';
import { roomKey } from '../runner/room/config.ts';

const key = roomKey(repoRoot);
let dir: string;
let redis: Child | undefined;
let port: number;
let app: { dir: string; dispose(): Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workshop-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  port = await freePort();
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  redis = startChild(findOnPath('redis-server')!, [
    '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1',
    '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'), '--tls-ca-cert-file', join(dir, 'cert.pem'), '--tls-auth-clients', 'no',
    '--save', '', '--appendonly', 'no', '--dir', dir,
    '--user', 'learners', 'on', '>learners-pw', 'resetkeys', `%W~${key}`, 'resetchannels', '-@all', '+xadd',
    '--user', 'instructor', 'on', '>instructor-pw', 'resetkeys', `%R~${key}`, 'resetchannels', '-@all', '+xread',
  ], { cwd: dir, onLine: (line) => /Ready to accept connections/.test(line) && ready() });
  await Promise.race([isReady, redis.exited.then((e) => Promise.reject(new Error(`redis-server with TLS exited: ${JSON.stringify(e)} ${redis!.log.join('\n')}`)))]);
  app = await tempApp(join(repoRoot, 'steps/step1'));
  env = { WORKSHOP_STATE: join(dir, 'state'), WORKSHOP_WORKSPACE: app.dir, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') };
});

afterAll(async () => {
  await redis?.stop(2000);
  await app?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('a room on rediss://', () => {
  it('takes a learner who joins and verifies, and the room page reads it', async () => {
    const joined = await runWorkshopCommand(['join', `rediss://learners:learners-pw@127.0.0.1:${port}`, '--name', 'Tls'], env);
    expect(joined.output).toMatch(/^Joined the room at rediss:\/\/127\.0\.0\.1:\d+ as Tls\./m);
    expect((await runCli(['step1'], env)).code).toBe(0);
    const room = await startRoom(`rediss://instructor:instructor-pw@127.0.0.1:${port}`, { env: { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') } });
    try {
      const learner = await waitFor('the verify in the room', async () => (await room.view()).learners.find((l) => l.name === 'Tls' && Object.keys(l.checks).length));
      expect(learner.checks['step1.listens']).toBe('passed');
      expect((await room.view()).room.host).toBe(`rediss://127.0.0.1:${port}`);
    } finally {
      await room.stop();
    }
  });

  it('says plainly when the certificate is not trusted', async () => {
    const res = await runWorkshopCommand(['join', `rediss://learners:learners-pw@127.0.0.1:${port}`, '--name', 'Tls'], { ...env, NODE_EXTRA_CA_CERTS: '', WORKSHOP_STATE: join(dir, 'other') });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/^Not joined: The room at rediss:\/\/127\.0\.0\.1:\d+ presented a certificate this machine does not trust \(self[- ]signed certificate\): ask the instructor for the certificate of its authority, and set NODE_EXTRA_CA_CERTS to that file\.$/m);
    // TLS asked of a port that speaks plain Redis, or the other way round, is said too.
    const plain = await runWorkshopCommand(['join', `redis://learners:learners-pw@127.0.0.1:${port}`, '--name', 'Tls'], { ...env, WORKSHOP_STATE: join(dir, 'other') }, 30_000);
    expect(plain.code).toBe(1);
    expect(plain.output).toMatch(/^Not joined: The room at redis:\/\/127\.0\.0\.1:\d+ closed the connection at once: if it uses TLS, its URL starts with rediss:\/\/\.$/m);
  });
});
