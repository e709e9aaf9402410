// One shape for everything wrong with a deck, from the parser, the renderer
// or the lint: where it is (deck file relative to the repository, 1-based
// line) and one sentence saying what is wrong.
export interface Problem {
  file: string;
  line: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}
