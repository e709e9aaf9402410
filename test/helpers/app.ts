// Runs a step app for real, as `node <entry>` in its folder on a free port.
import { CookieJar } from 'tough-cookie';
import { entryOf } from '../../runner/apps.ts';
import { startChild, untilListening, type Child } from '../../runner/process/child.ts';
import { freePort } from '../../runner/process/ports.ts';

export interface RunningApp {
  port: number;
  url: string;
  process: Child;
  stop(): Promise<void>;
}

export async function startApp(dir: string, env: Record<string, string> = {}, port?: number): Promise<RunningApp> {
  const appPort = port ?? (await freePort());
  const child = startChild(process.execPath, [await entryOf(dir)], {
    cwd: dir,
    env: { ...process.env, ...env, PORT: String(appPort) },
  });
  const { state } = await untilListening(child, appPort, { timeoutMs: 10_000 });
  if (state !== 'listening') {
    await child.stop();
    throw new Error(`${dir} did not listen on ${appPort} (${state}):\n${child.log.join('\n')}`);
  }
  return {
    port: appPort,
    url: `http://127.0.0.1:${appPort}`,
    process: child,
    stop: async () => void (await child.stop()),
  };
}

/** A browser-like visitor: fetch with a cookie jar. */
export function visitor() {
  const jar = new CookieJar();
  return {
    jar,
    async get(url: string, headers: Record<string, string> = {}) {
      const cookie = await jar.getCookieString(url);
      const res = await fetch(url, { headers: { ...(cookie ? { cookie } : {}), ...headers }, redirect: 'manual' });
      for (const header of res.headers.getSetCookie()) await jar.setCookie(header, url);
      return { status: res.status, headers: res.headers, body: await res.text() };
    },
  };
}
