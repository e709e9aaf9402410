// The modules the server uses from the checks and the workspace, loaded
// when first needed (keeps start-up fast: the first slide never waits for
// them).
//
// The checks are typed by the contract they were described with, until they land.

export interface CheckResult {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip' | string;
  message?: string;
  hint?: string;
  slide?: { deck: string; slide: number; title?: string };
  ms?: number;
}

export interface Report {
  step: string;
  dir: string;
  checks: CheckResult[];
  passed: number;
  failed: number;
  ms: number;
}

interface ChecksModule {
  verify(step: string, dir: string, options: { timeoutMs?: number; onResult?: (r: CheckResult) => void; env?: NodeJS.ProcessEnv }): Promise<Report>;
}

const checksPath = '../../checks/index.ts';

export const loadChecks = () => import(checksPath) as Promise<ChecksModule>;
export const loadWorkspace = () => import('../workspace.ts');
