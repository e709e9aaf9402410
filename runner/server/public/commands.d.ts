// Types of commands.js, for the tests (the page itself has no build step).
export interface RunnerFacts {
  appUrl?: string;
  redisCli?: string;
  sessionKey?: string;
}
export interface CommandPart {
  text: string;
  was?: string;
  why?: string;
  kept?: boolean;
}
export function shellQuote(s: string): string;
export function rewriteCommand(command: string, facts: RunnerFacts): CommandPart[];
export function commandText(parts: CommandPart[]): string;
export function isMarked(part: CommandPart): boolean;
export function newestSession(sessions: { key: string; ttl: number }[] | undefined): string | undefined;
export function shortCli(cli: string | undefined): string | undefined;
export function factsOfState(state: { apps?: { id: string; url: string }[]; redis?: { cli?: string } }): RunnerFacts;
