// Reading an app's errors, for any workshop: the lines worth quoting, the
// port it listens on instead of PORT, and the mistakes any Node app makes
// (a syntax error, a missing module, a taken port). A workshop's checks add
// their own diagnoses in front (StepChecks.diagnose, verify/check.ts).
import type { Diagnose, Diagnosis } from './check.ts';

/** The mistakes any Node app can make at start-up, from its error text; undefined when none is recognised. */
export function genericDiagnosis(text: string, facts: { port?: number } = {}): Diagnosis | undefined {
  const inUse = /EADDRINUSE[^\n]*?:(\d+)/.exec(text);
  if (inUse && facts.port !== undefined && Number(inUse[1]) !== facts.port) {
    return {
      hint:
        `The app tried to listen on port ${inUse[1]}, not on the port in PORT (${facts.port}), and that one is taken: ` +
        'listen on `process.env.PORT` (for example `const port = process.env.PORT || 3000`).',
    };
  }
  const notFound = /Cannot find (?:module|package) '([^']+)'/.exec(text);
  if (notFound) {
    const name = notFound[1] ?? '';
    return {
      hint:
        /^[./]/.test(name) || (name.includes('/') && !name.startsWith('@'))
          ? `A file the app loads is missing: ${name}. Check the path (and, for ESM, the .js extension), or "main" in package.json.`
          : `The package ${name} is not installed: add it to package.json's dependencies and run \`npm install\` in the workshop folder.`,
    };
  }
  if (/SyntaxError/.test(text)) return { hint: 'There is a syntax error: the lines above show the file and line. Fix it and run verify again.' };
  return undefined;
}

/** A ReferenceError: asked last, after what a workshop recognises (a view's missing variable is one too). */
export function referenceErrorDiagnosis(text: string): Diagnosis | undefined {
  return /is not defined/.test(text) && /ReferenceError/.test(text)
    ? { hint: 'A name is used before it is defined or imported: the lines above show which and where.' }
    : undefined;
}

/** Stderr lines worth quoting: stack frames beyond the first two and Node's version line dropped. */
export function quoteStderr(lines: readonly string[], max = 8): string[] {
  const kept: string[] = [];
  let frames = 0;
  for (const line of lines) {
    if (!line.trim() || /^Node\.js v\d+/.test(line)) continue;
    if (/^\s+at /.test(line)) {
      if (++frames > 2) continue;
    } else {
      frames = 0;
    }
    kept.push(line.length > 240 ? `${line.slice(0, 240)}…` : line);
  }
  return kept.slice(-max);
}

/** The app printed the port it listens on, and it is not PORT. */
export function hintForOtherPort(output: readonly string[], port: number, listening: readonly number[] = []): string {
  const printed = output
    .flatMap((line) => [...line.matchAll(/(?:port\s*|:)(\d{2,5})\b/gi)].map((m) => Number(m[1])))
    .filter((p) => p !== port && p > 0);
  const other = listening.find((p) => p !== port) ?? printed[0];
  return other === undefined
    ? 'Listen on the port in the PORT environment variable: `app.listen(process.env.PORT || 3000)`.'
    : `It listens on port ${other} instead: use the PORT environment variable, e.g. \`const port = process.env.PORT || 3000\`.`;
}

/** The steps' diagnoses in turn (StepChecks.diagnose), then any Node app's mistakes. */
export function combineDiagnoses(diagnoses: readonly Diagnose[]): Diagnose {
  return (text, facts) => {
    for (const d of diagnoses) {
      const found = d(text, facts);
      if (found) return found;
    }
    return genericDiagnosis(text, facts) ?? referenceErrorDiagnosis(text);
  };
}
