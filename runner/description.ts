// The workshop's description: workshop.json at the root of a workshop's
// folder. It is all the engine knows of a workshop: its title, the folder a
// learner starts from, and for each step its name, title, solution, deck,
// checks module and the services it needs. Parsing is pure (text in, data
// or one sentence per problem out); loading is the only I/O.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';

/** Services the engine knows how to provide to a step's app and checks. */
export const knownServices = ['redis'] as const;
export type Service = (typeof knownServices)[number];

export interface Step {
  /** As typed on the command line: `step3`. */
  name: string;
  /** 1-based position in the workshop; `3` also names the third step. */
  number: number;
  title: string;
  /** The step's solution app (absolute). */
  dir: string;
  /** The step's deck (absolute). */
  deck: string;
  /** The step's checks module (absolute). */
  checks: string;
  services: Service[];
}

export interface Workshop {
  /** The workshop's folder (absolute): where workshop.json is, and what its paths are relative to. */
  root: string;
  title: string;
  /** The app a new workspace starts as (absolute). */
  start: string;
  /** The folder of deck assets: images, terminal transcripts (absolute). */
  slides: string;
  /** Right and wrong apps, each declaring its verdict (absolute), if the workshop has them. */
  fixtures?: string;
  steps: Step[];
}

/** workshop.json is missing or wrong: every problem, one sentence each. */
export class DescriptionError extends Error {
  override name = 'DescriptionError';
  constructor(
    readonly file: string,
    readonly problems: string[],
    /** What is wrong with it, after its name. */
    headline = 'is not a workshop description',
  ) {
    super(`${file} ${headline}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** The keys workshop.json may have, at its top and in a step; any key starting with "$" (a "$comment") is free. */
export const workshopKeys = ['title', 'start', 'slides', 'fixtures', 'steps'] as const;
export const stepKeys = ['name', 'title', 'solution', 'deck', 'checks', 'services'] as const;

/** One sentence for each key of `where` that is not one of `known`, naming the nearest known key (a typo's likely meaning). */
function unknownKeys(where: Record<string, unknown>, known: readonly string[], what: string): string[] {
  return Object.keys(where)
    .filter((key) => !key.startsWith('$') && !known.includes(key))
    .map((key) => {
      const near = closest(key, known);
      // Near enough to be a typo ("service", "Title", "soluton"); otherwise, every key it could be.
      const typo = distance(key.toLowerCase(), near) <= Math.max(2, Math.floor(near.length / 3));
      return `${what} has an unknown key "${key}": ${typo ? `did you mean "${near}"?` : `the keys are ${known.map((k) => `"${k}"`).join(', ')}.`}`;
    });
}

/** The description in `text` (the content of `<root>/workshop.json`); throws a DescriptionError listing every problem. */
export function parseDescription(text: string, root: string, file = join(root, 'workshop.json')): Workshop {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DescriptionError(file, [`it is not JSON: ${(err as Error).message}.`]);
  }
  const problems: string[] = [];
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const top = obj(data);
  const stringField = (where: Record<string, unknown>, key: string, what: string): string => {
    const v = where[key];
    if (typeof v === 'string' && v.trim()) return v.trim();
    problems.push(`${what} needs "${key}", a non-empty string.`);
    return '';
  };
  const path = (where: Record<string, unknown>, key: string, what: string, fallback?: string): string => {
    const v = where[key] === undefined && fallback !== undefined ? fallback : stringField(where, key, what);
    if (!v) return '';
    if (isAbsolute(v) || relative(root, resolve(root, v)).startsWith('..')) {
      problems.push(`${what}'s "${key}" (${v}) must be a path inside the workshop's folder.`);
    }
    return resolve(root, v);
  };

  problems.push(...unknownKeys(top, workshopKeys, 'The workshop'));
  const title = stringField(top, 'title', 'The workshop');
  const start = path(top, 'start', 'The workshop');
  const slides = path(top, 'slides', 'The workshop', 'slides');
  const fixtures = top.fixtures === undefined ? undefined : path(top, 'fixtures', 'The workshop');
  const list = Array.isArray(top.steps) ? top.steps : [];
  if (!list.length) problems.push('The workshop needs "steps", a list of at least one step.');
  const seen = new Set<string>();
  const steps = list.map((raw, i): Step => {
    const s = obj(raw);
    const what = typeof s.name === 'string' && s.name ? `Step "${s.name}"` : `Step ${i + 1}`;
    const name = stringField(s, 'name', what);
    problems.push(...unknownKeys(s, stepKeys, what));
    if (name && /^\d+$/.test(name)) problems.push(`${what}'s name cannot be a number: numbers name steps by position.`);
    else if (name && !NAME.test(name)) problems.push(`${what}'s name must be lower-case letters, digits and dashes (it is typed on the command line).`);
    if (seen.has(name)) problems.push(`Two steps are named "${name}".`);
    seen.add(name);
    const services = Array.isArray(s.services) ? s.services : s.services === undefined ? [] : undefined;
    if (!services || services.some((x) => !knownServices.includes(x as Service))) {
      problems.push(`${what}'s "services" must be a list of: ${knownServices.join(', ')}.`);
    }
    return {
      name,
      number: i + 1,
      title: stringField(s, 'title', what),
      dir: path(s, 'solution', what),
      deck: path(s, 'deck', what),
      checks: path(s, 'checks', what),
      services: (services ?? []).filter((x): x is Service => knownServices.includes(x as Service)),
    };
  });
  if (problems.length) throw new DescriptionError(file, problems);
  return { root, title, start, slides, fixtures, steps };
}

/** Reads and parses `<root>/workshop.json`. */
export function loadDescription(root: string): Workshop {
  const file = join(root, 'workshop.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DescriptionError(file, [`there is no workshop.json in ${root}: run the command in a workshop's folder, point --workshop at one, or write a new one with \`workshop init <dir>\`.`]);
  }
  return parseDescription(text, root, file);
}

/**
 * The folders workshop.json names that are not there (the start, each
 * step's solution; and the fixtures, when named and `fixtures` is asked
 * for: only check-content reads them): one sentence each, saying which and
 * where. Not a parse problem: the runner's page keeps serving a workshop
 * with a step folder missing (and says so in that step's pane), while every
 * command refuses to run on one (see cli.ts).
 */
export function missingFolders(workshop: Workshop, options: { fixtures?: boolean } = {}): string[] {
  const problems: string[] = [];
  const check = (dir: string, what: string) => {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = undefined;
    }
    if (isDir) return;
    const named = relative(workshop.root, dir) || '.';
    problems.push(`${what}, ${named}, is not a folder: ${isDir === false ? `${dir} is a file` : `${dir} does not exist`}.`);
  };
  check(workshop.start, 'The workshop\'s "start"');
  for (const step of workshop.steps) check(step.dir, `Step "${step.name}"'s "solution"`);
  if (options.fixtures && workshop.fixtures) check(workshop.fixtures, 'The workshop\'s "fixtures"');
  return problems;
}

/** workshop.json names folders that are not there: every one, one sentence each (exit 2, as a DescriptionError). */
export class MissingFoldersError extends DescriptionError {
  override name = 'MissingFoldersError';
  constructor(file: string, problems: string[]) {
    super(file, problems, 'names folders that are not there');
  }
}

/** Whether any step of the workshop needs `service`. */
export function needs(workshop: Workshop, service: Service): boolean {
  return workshop.steps.some((s) => s.services.includes(service));
}

/** The folders a workshop's decks are made from: the slides, every deck's folder, the start and every solution. */
export function contentFolders(workshop: Workshop): string[] {
  const all = [workshop.slides, ...workshop.steps.map((s) => dirname(s.deck)), workshop.start, ...workshop.steps.map((s) => s.dir)];
  return [...new Set(all)];
}
