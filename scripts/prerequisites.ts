// Runs before `npm test`: the suite needs a real redis-server and a real
// Chromium (and openssl, for a certificate). What is missing is installed through apt-get when we can (root on
// Debian/Ubuntu), and otherwise named in one sentence with the command to run.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { findOnPath } from '../runner/redis.ts';

interface Tool {
  name: string;
  found: () => boolean;
  aptPackage: string;
  otherwise: string;
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const tools: Tool[] = [
  {
    name: 'redis-server',
    found: () => Boolean(findOnPath('redis-server')),
    aptPackage: 'redis-server',
    otherwise: 'install Redis 6 or newer (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)',
  },
  {
    // The room's TLS test makes its certificate with it.
    name: 'openssl',
    found: () => Boolean(findOnPath('openssl')),
    aptPackage: 'openssl',
    otherwise: 'install OpenSSL (Debian/Ubuntu: sudo apt-get install -y openssl; macOS has it)',
  },
  {
    name: `Chromium (${chromium})`,
    found: () => {
      try {
        accessSync(chromium, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    aptPackage: 'chromium',
    otherwise: 'install it (Debian/Ubuntu: sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary',
  },
];

const missing = tools.filter((t) => !t.found());
const canApt = process.getuid?.() === 0 && Boolean(findOnPath('apt-get'));

if (missing.length && canApt) {
  const packages = missing.map((t) => t.aptPackage);
  console.log(`Installing ${packages.join(' and ')} with apt-get, for the tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

const stillMissing = tools.filter((t) => !t.found());
for (const tool of stillMissing) {
  console.error(`The tests need ${tool.name}, which is not installed: ${tool.otherwise}.`);
}
process.exitCode = stillMissing.length ? 1 : 0;
