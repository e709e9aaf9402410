// Everything a workshop's checks module needs from the engine, in one
// import (see docs/authoring.md):
//
//   import { fail, type StepChecks } from '<engine>/checks/authoring.ts';
//   export default { checks: [ { id, title, slide, async run(ctx) { … } } ] } satisfies StepChecks;
export { CannotCheck, CheckFailed, fail } from './check.ts';
export type { Check, Diagnose, Diagnosis, SlideLink, StepChecks } from './check.ts';
export type { VerifyContext } from './context.ts';
export type { RunningApp, SessionRedis } from './harness.ts';
export { Visitor, type Page, type Request } from './http.ts';
export { isSigned, latestByName, unsignedValue, type SetCookie } from './cookies.ts';
export { h1Text, pageText } from './page.ts';
