// What every command does with its arguments: parse them with node's
// parseArgs and name one step. A bad argument is a UsageError, which
// runner/cli.ts prints as one sentence (and the usage) with exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findStep, unknownStepMessage, type Step } from '../steps.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with positionals allowed; an unknown or malformed option is a UsageError. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's message is two sentences; the first says what is wrong.
    throw new UsageError(`${(err as Error).message.split('. ')[0]!.replace(/\.$/, '')}.\n${usage}`);
  }
}

/** The one step the positionals name. An unknown step's sentence lists the steps: that is the way forward. */
export function oneStep(positionals: string[], usage: string): Step {
  const [name, ...extra] = positionals;
  const step = name ? findStep(name) : undefined;
  if (!step) throw new UsageError(unknownStepMessage(name));
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra.join(' ')}. Name one step.\n${usage}`);
  return step;
}
