// Talking to the runner: JSON requests, and the live event stream (read with
// fetch, so it can send a header too). The browser sends the token in its
// HttpOnly cookie; the page adds its own key in a header, which no other
// site's form or link can send.

const pageKey = document.querySelector('meta[name="workshop-page-key"]')?.getAttribute('content') ?? '';
const headers = { 'X-Workshop-Page': pageKey };

/** GET /api<path> as JSON; throws with the runner's one-sentence error. */
export async function get(path) {
  const res = await fetch(`/api${path}`, { headers, cache: 'no-store' });
  return answer(res);
}

/** POST /api<path> with a JSON body. */
export async function post(path, body = {}) {
  const res = await fetch(`/api${path}`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return answer(res);
}

async function answer(res) {
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error ?? `The runner answered ${res.status}.`);
  return data;
}

/**
 * Calls handlers[event](data) for each server-sent event, reconnecting
 * after a drop. `onConnection(ok, message)` reports the link's health.
 * @param {Record<string, (data: any) => void>} handlers
 * @param {(ok: boolean, message?: string) => void} onConnection
 */
export function listen(handlers, onConnection) {
  const connect = async () => {
    try {
      const res = await fetch('/api/events', { headers, cache: 'no-store' });
      if (res.status === 403) {
        onConnection(false, 'This page no longer has the workshop\'s key (it was started afresh): open the link the terminal printed.');
        return;
      }
      if (!res.ok || !res.body) throw new Error(String(res.status));
      onConnection(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, end), handlers);
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // fall through to reconnect
    }
    onConnection(false, 'Lost the connection to the workshop runner: is `npm run workshop` still running? Reconnecting…');
    setTimeout(connect, 1000);
  };
  void connect();
}

function dispatch(frame, handlers) {
  let event = 'message';
  let data = '';
  for (const line of frame.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!data) return;
  try {
    handlers[event]?.(JSON.parse(data));
  } catch (err) {
    console.error(`workshop: bad "${event}" event`, err);
  }
}
