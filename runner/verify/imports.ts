// Which packages an app's source imports, read statically: import/export
// statements, import() and require() with a literal specifier. Comments are
// removed first so commented-out code does not count. Pure functions.
import { builtinModules } from 'node:module';

const builtins = new Set(builtinModules);

/** The source with comments blanked out; strings and template literals are kept. */
export function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      const start = i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\') i++;
        else if (c !== '`' && source[i] === '\n') break; // unterminated: stop at the line end
        i++;
      }
      i++;
      out += source.slice(start, i);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const patterns = [
  /\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"'\n]+)["']/g,
  /\bexport\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*["']([^"'\n]+)["']/g,
  /\bimport\s*\(\s*["']([^"'\n]+)["']\s*[,)]/g,
  /\brequire\s*\(\s*["']([^"'\n]+)["']\s*\)/g,
];

/** The package a specifier names, or undefined for files, builtins and `#imports`. */
export function packageName(specifier: string): string | undefined {
  if (/^[./#]/.test(specifier) || specifier.startsWith('node:') || /^[a-z]+:/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
  if (builtins.has(name) || builtins.has(specifier)) return undefined;
  return name || undefined;
}

/** The packages a source file imports, each once, in order of appearance. */
export function importedPackages(source: string): string[] {
  const code = stripComments(source);
  const found: { name: string; at: number }[] = [];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) {
      const name = packageName(m[1] ?? '');
      if (name) found.push({ name, at: m.index });
    }
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.name))];
}

export interface PackageJson {
  main?: unknown;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface MissingDependency {
  name: string;
  /** The app files that import it, relative to the app. */
  files: string[];
  /** Declared, but only as a devDependency. */
  devOnly: boolean;
}

/** The packages imported by `files` that package.json does not declare as dependencies. */
export function missingDependencies(pkg: PackageJson, files: readonly { path: string; source: string }[]): MissingDependency[] {
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
  const missing = new Map<string, MissingDependency>();
  for (const file of files) {
    for (const name of importedPackages(file.source)) {
      if (declared.has(name)) continue;
      const entry = missing.get(name) ?? { name, files: [], devOnly: dev.has(name) };
      entry.files.push(file.path);
      missing.set(name, entry);
    }
  }
  return [...missing.values()];
}
