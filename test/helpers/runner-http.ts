// Talking to a running workshop as a script of the learner's would: with
// the token from the link the runner printed, in the X-Workshop-Token
// header. A browser gets in by opening the link itself (page.goto(link)).

/** The token in a runner's link (`http://127.0.0.1:PORT/?token=…`). */
export function tokenIn(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** fetch() of a path of the runner (`api/state`), with the token of `link`. */
export function runnerFetch(link: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-Workshop-Token', tokenIn(link));
  return fetch(new URL(path.replace(/^\//, ''), link), { ...init, headers });
}
