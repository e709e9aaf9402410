// The authoring API: everything a workshop's checks module needs from the
// engine, in one import by the package's name (see docs/authoring.md):
//
//   import { fail, type StepChecks } from 'workshop-runner';
//   export default { checks: [ { id, title, slide, async run(ctx) { … } } ] } satisfies StepChecks;
//
// The runner bundles this file with its own code, so a checks module and
// the runner share one copy of every class exported here.

// Checks: what one is, how it fails or declines to judge.
export { CannotCheck, CheckFailed, fail, seeCheck } from './verify/check.ts';
export type { Check, Diagnose, Diagnosis, SlideLink, StepChecks } from './verify/check.ts';
// The run: the app under test, its instances, its Redis.
export { AppStartError, type AppFiles, type AppUnderTest, type HeldVisitor, type SourceFile, type VerifyContext } from './verify/context.ts';
export type { RunningApp, SessionRedis } from './verify/harness.ts';
// Talking to the app as a browser does.
export { Visitor, encodeForm, methodOf, type FormFields, type Page, type Request, type VisitorOptions } from './verify/http.ts';
export { cookieHeader, forgeSignature, isSigned, latestByName, parseSetCookie, unsignedValue, type SetCookie } from './verify/cookies.ts';
// Reading what the app answered, and its source.
export { firstLines, h1Text, leakIn, pageLines, pageText } from './verify/page.ts';
export { actionIs, formsOf, linksOf, type Form } from './verify/forms.ts';
export { importedPackages, missingDependencies, packageName, stripComments, type MissingDependency, type PackageJson } from './verify/imports.ts';
// Reading an app's errors: the mistakes any Node app makes, for a workshop's own diagnose to fall back on.
export { combineDiagnoses, genericDiagnosis, quoteStderr } from './verify/diagnose.ts';
export { redactUrl } from './redis.ts';
