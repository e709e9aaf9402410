// The modules the server uses from the checks and the workspace, loaded
// when first needed: the first slide never waits for them.
export type { Report, CheckResult } from '../verify/verify.ts';

export const loadChecks = () => import('../verify/verify.ts');
export const loadWorkspace = () => import('../workspace/index.ts');
