// Step 1, an Express app: it starts on PORT, declares what it imports,
// renders GET / from a pug view with an <h1>, and serves public/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStartError, fail, h1Text, missingDependencies, stripComments, type Check, type StepChecks, type VerifyContext } from 'workshop-runner';
import { diagnose } from './hints.ts';
import { firstVisit, staticFile } from './probes.ts';
import { slideForPackage, slides } from './slides.ts';

/** The version ranges this workshop's package.json lists for its apps, to suggest in hints. */
function workshopRange(name: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    return pkg.dependencies?.[name];
  } catch {
    return undefined;
  }
}

const checks: Check<VerifyContext>[] = [
  {
    id: 'step1.listens',
    title: 'The app starts and listens on PORT',
    slide: slides.startApp,
    async run(ctx) {
      try {
        const app = await ctx.main();
        return `\`node ${ctx.app.entry}\` listens on PORT (${app.port}), ready after ${app.readyMs} ms.`;
      } catch (err) {
        if (err instanceof AppStartError) fail(err.message, err.hint, err.slide);
        throw err;
      }
    },
  },
  {
    id: 'step1.dependencies',
    title: 'package.json declares every package the app imports',
    slide: slides.packageJson,
    async run(ctx) {
      if (!ctx.app.pkg) fail(`package.json cannot be read: ${ctx.app.pkgError}.`, 'Fix package.json so that it is valid JSON.');
      const { sources } = await ctx.files();
      const missing = missingDependencies(ctx.app.pkg, sources);
      if (missing.length) {
        const lines = missing.map(
          (m) => `${m.files.join(', ')} ${m.files.length > 1 ? 'import' : 'imports'} ${m.name}, which package.json ${m.devOnly ? 'only lists in devDependencies' : 'does not declare'}.`,
        );
        const entries = missing.map((m) => `"${m.name}": "${workshopRange(m.name) ?? '*'}"`).join(', ');
        fail(
          lines.join('\n'),
          `Add ${missing.length > 1 ? 'them' : 'it'} to "dependencies" in package.json: ${entries}.`,
          slideForPackage(missing[0]?.name ?? ''),
        );
      }
      const count = sources.length;
      return `${count} file${count === 1 ? '' : 's'} scanned; every imported package is in dependencies.`;
    },
  },
  {
    id: 'step1.home-page',
    title: 'GET / answers 200 with an HTML page that has an <h1>',
    slide: slides.router,
    needs: ['step1.listens'],
    async run(ctx) {
      // A new visitor, then the same one coming back: an app that only fails
      // with its own cookies (a session store it cannot reach) fails here.
      const pages = (await firstVisit(ctx)).pages;
      const stderr = (await ctx.main()).stderr;
      let h1: string | undefined;
      for (const [i, page] of pages.entries()) {
        const what = i === 0 ? 'GET /' : 'GET / for a returning visitor';
        if (page.status !== 200) throw ctx.notOk(page, what, stderr);
        if (!/^text\/html\b/i.test(page.contentType)) {
          fail(`${what} answered with ${page.contentType || 'no Content-Type'}, expected text/html.`, 'Render a view: `res.render(\'index\', { title: \'Express\' })`.');
        }
        h1 = h1Text(page.body);
        if (h1 === undefined) fail(`${what} answered 200 text/html, but the page has no <h1>.`, 'Give the view a heading: `h1= title` in views/index.pug.');
      }
      return `GET / answered 200 text/html with <h1>${h1}</h1>, for a new and a returning visitor.`;
    },
  },
  {
    id: 'step1.pug-view',
    title: 'The page is rendered from a pug view',
    slide: slides.pugView,
    async run(ctx) {
      // A static look, the contract naming pug: the rendered HTML cannot tell which engine made it.
      const { views, sources } = await ctx.files();
      if (!views.length) fail('The app has no .pug file.', 'Write the page as views/index.pug and render it with `res.render(\'index\')`.');
      const usesPug = sources.some((f) => /view engine['"]\s*,\s*['"]pug['"]|\bfrom\s*['"]pug['"]|require\(\s*['"]pug['"]\s*\)|\.pug['"]/.test(stripComments(f.source)));
      if (!usesPug) {
        fail(`The app has ${views.join(', ')}, but never makes pug its view engine.`, "Add `app.set('view engine', 'pug')` (and `app.set('views', ...)` for the folder).");
      }
      return `Views: ${views.join(', ')}.`;
    },
  },
  {
    id: 'step1.stylesheet',
    title: '/stylesheets/style.css is served from public/ as text/css',
    slide: slides.staticFiles,
    needs: ['step1.listens'],
    async run(ctx) {
      const { page } = await staticFile(ctx);
      if (page.status !== 200) {
        fail(
          `GET /stylesheets/style.css answered ${page.status}, expected 200.`,
          'Put the file at public/stylesheets/style.css and serve the folder: `app.use(express.static(join(import.meta.dirname, \'public\')))`.',
        );
      }
      if (!/^text\/css\b/i.test(page.contentType)) {
        fail(`GET /stylesheets/style.css answered ${page.contentType || 'no Content-Type'}, expected text/css.`, 'Serve it with express.static, which sets the type from the extension.');
      }
      return 'GET /stylesheets/style.css answered 200 text/css.';
    },
  },
];

export default {
  checks,
  // Every step's app can make this workshop's common mistakes: a later step's
  // diagnoses would only repeat these, so step 1 names them for all.
  diagnose,
  // The stylesheet request goes first, while the store (from step 3) is quiet.
  prepare: (ctx) => void staticFile(ctx).catch(() => {}),
} satisfies StepChecks;
