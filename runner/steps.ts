// The workshop this process serves, and its steps, as its description
// (workshop.json, see description.ts) says. Read once, on first use.
import { loadDescription, type Step, type Workshop } from './description.ts';
import { workshopRoot } from './paths.ts';

export type { Step, Workshop } from './description.ts';

let loaded: Workshop | undefined;

/** The workshop's description; throws a DescriptionError when workshop.json is missing or wrong. */
export function workshop(): Workshop {
  return (loaded ??= loadDescription(workshopRoot()));
}

export function steps(): readonly Step[] {
  return workshop().steps;
}

/** `step3`, `3` and `Step3` name the third step (when it is called step3). */
export function findStep(name: string): Step | undefined {
  const wanted = name.trim().toLowerCase();
  const all = steps();
  if (/^\d+$/.test(wanted)) return all[Number(wanted) - 1];
  return all.find((s) => s.name === wanted);
}

/** One sentence for a step name we don't know, listing the ones we do. */
export function unknownStepMessage(name: string | undefined): string {
  const known = steps().map((s) => s.name).join(', ');
  return name ? `There is no step "${name}". The steps are ${known}.` : `Name a step: ${known}.`;
}

/** "step1, step2, step3 (or 1, 2, 3)": how steps are named, for usage texts. */
export function stepNamesHelp(): string {
  const all = steps();
  return `${all.map((s) => s.name).join(', ')} (or ${all.map((s) => s.number).join(', ')})`;
}
