// Cookies as the app sets them: parsing Set-Cookie headers, telling signed
// values (cookie-parser's and express-session's `s:<value>.<signature>`)
// from plain ones, and making the forged and unsigned copies the checks send.

export interface SetCookie {
  name: string;
  /** As sent, still URL-encoded. */
  value: string;
  httpOnly: boolean;
  secure: boolean;
  raw: string;
}

export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...attributes] = raw.split(';');
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
  const flags = attributes.map((a) => a.trim().split('=')[0]?.toLowerCase());
  return { name, value, httpOnly: flags.includes('httponly'), secure: flags.includes('secure'), raw };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** True for `s:<value>.<signature>`, URL-encoded (`s%3A...`) or not. */
export function isSigned(value: string): boolean {
  const v = decode(value);
  return v.startsWith('s:') && v.lastIndexOf('.') > 2;
}

/** The signed value without its signature: `s:abc.sig` → `abc`. */
export function unsignedValue(value: string): string {
  const v = decode(value);
  return isSigned(value) ? v.slice(2, v.lastIndexOf('.')) : v;
}

/** The same value with a signature that does not match (same length, other characters). */
export function forgeSignature(value: string): string {
  const v = decode(value);
  const dot = v.lastIndexOf('.');
  const signature = v.slice(dot + 1);
  const forged = [...signature].map((c) => (c === 'A' ? 'B' : 'A')).join('');
  return encodeURIComponent(`${v.slice(0, dot + 1)}${forged}`);
}

/** A Cookie request header from name/value pairs (values already encoded). */
export function cookieHeader(cookies: readonly { name: string; value: string }[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The last Set-Cookie for each name, in order of first appearance. */
export function latestByName(cookies: readonly SetCookie[]): SetCookie[] {
  const map = new Map<string, SetCookie>();
  for (const c of cookies) map.set(c.name, c);
  return [...map.values()];
}
