// A step's checks module, as workshop.json names it, loaded on first use.
// From source (tests, tsx) it is imported as it is; from the runner's build
// (runner/launch.js) it is the module the launcher built beside the CLI,
// which shares the engine's code with it (so `instanceof CheckFailed` holds).
import { pathToFileURL } from 'node:url';
import { relative } from 'node:path';
import type { Step } from '../description.ts';
import { workshop } from '../steps.ts';
import type { StepChecks } from './check.ts';

/** A checks module that cannot be loaded, or exports no checks: one sentence naming the file. */
export class ChecksModuleError extends Error {
  override name = 'ChecksModuleError';
  constructor(
    message: string,
    /** A module that cannot be built: esbuild's errors, each at its place when it has one. */
    readonly errors: readonly BuildError[] = [],
  ) {
    super(message);
  }
}

/** One of esbuild's errors, as runner/launch.js records it: `file` relative to the workshop (or absolute), when it has a place. */
export interface BuildError {
  file?: string;
  line?: number;
  column?: number;
  text: string;
}

/** `checks/api.ts:12:5: Expected ";" but found "x"` */
export const formatBuildError = (e: BuildError): string =>
  `${e.file ? `${e.file}${e.line ? `:${e.line}:${e.column ?? 1}` : ''}: ` : ''}${e.text}`;

declare global {
  /** Set by runner/launch.js: each checks module's source path → the file built from it. */
  var __workshopBuiltModules: Record<string, string> | undefined;
  /** Set by runner/launch.js: each checks module that is missing or does not compile → esbuild's errors (`checks/api.ts:12:5: …`). */
  var __workshopBrokenModules: Record<string, BuildError[]> | undefined;
}

const loaded = new Map<string, Promise<StepChecks>>();

export function loadStepChecks(step: Step): Promise<StepChecks> {
  let p = loaded.get(step.checks);
  if (!p) {
    p = load(step);
    loaded.set(step.checks, p);
    p.catch(() => loaded.delete(step.checks));
  }
  return p;
}

async function load(step: Step): Promise<StepChecks> {
  const file = relative(workshop().root, step.checks) || step.checks;
  const broken = globalThis.__workshopBrokenModules?.[step.checks];
  if (broken?.length) {
    // Every error of the module: the first in the sentence, any others below it.
    const [first, ...more] = broken as [BuildError, ...BuildError[]];
    const rest = more.map((e) => `\n  ${formatBuildError(e)}`).join('');
    throw new ChecksModuleError(`The checks of ${step.name} (${file}) cannot be built: ${formatBuildError(first)}${rest}`, broken);
  }
  const built = globalThis.__workshopBuiltModules?.[step.checks];
  let mod: { default?: Partial<StepChecks> };
  try {
    mod = (await import(pathToFileURL(built ?? step.checks).href)) as typeof mod;
  } catch (err) {
    throw new ChecksModuleError(`The checks of ${step.name} (${file}) cannot be loaded: ${(err as Error).message.split('\n')[0]}`);
  }
  const checks = mod.default?.checks;
  if (!Array.isArray(checks) || checks.some((c) => !c || typeof c.id !== 'string' || typeof c.run !== 'function')) {
    throw new ChecksModuleError(`${file} must export default { checks: [...] }, each check with an id, a title, a slide and run(ctx) (see docs/authoring.md).`);
  }
  return mod.default as StepChecks;
}

/** The checks modules a run of `step` uses: its own and every earlier step's (steps are cumulative), in order. */
export async function modulesUpTo(step: Step): Promise<{ step: Step; module: StepChecks }[]> {
  const upTo = workshop().steps.slice(0, step.number);
  const modules = await Promise.all(upTo.map(loadStepChecks));
  return upTo.map((s, i) => ({ step: s, module: modules[i]! }));
}
