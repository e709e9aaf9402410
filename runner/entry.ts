// An app folder's entry file: package.json's `main`, or app.js. One rule for
// the runner that starts the learner's app and the checks that judge it.

export function entryFrom(pkg: { main?: unknown }): string {
  return typeof pkg.main === 'string' && pkg.main.trim() ? pkg.main.trim() : 'app.js';
}
