// The workshop's steps: names, titles and where their solutions live.
import { join } from 'node:path';
import { stepsDir } from './paths.ts';

export interface Step {
  /** `step1`, `step2`, `step3`. */
  name: string;
  number: number;
  title: string;
  /** The step's solution app. */
  dir: string;
}

const titles = ['An Express app', 'Cookie parsing', 'A persistent session store'];

export const steps: readonly Step[] = titles.map((title, i) => ({
  name: `step${i + 1}`,
  number: i + 1,
  title,
  dir: join(stepsDir, `step${i + 1}`),
}));

/** The bare app that step 1 grows from: a new workspace starts as a copy of it. */
export const startDir = join(stepsDir, 'start');

/** `step3`, `3` and `Step3` all name step 3. */
export function findStep(name: string): Step | undefined {
  const m = /^(?:step)?(\d+)$/i.exec(name.trim());
  return m ? steps.find((s) => s.number === Number(m[1])) : undefined;
}

/** One sentence for a step name we don't know, listing the ones we do. */
export function unknownStepMessage(name: string | undefined): string {
  const known = steps.map((s) => s.name).join(', ');
  return name
    ? `There is no step "${name}". The steps are ${known}.`
    : `Name a step: ${known}.`;
}
