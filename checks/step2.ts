// Step 2, cookie parsing: a new visitor gets a signed, HttpOnly first-visit
// cookie and "Welcome"; the valid cookie brings "Welcome back"; a forged or
// unsigned one counts as new.
import { CannotCheck, cookieHeader, fail, forgeSignature, latestByName, pageText, seeCheck, unsignedValue, type Check, type Page, type SetCookie, type StepChecks, type VerifyContext } from 'workshop-runner';
import { saysWelcomeBack, saysWelcomeNew } from './visits.ts';
import { httpOnlyHint } from './hints.ts';
import { firstVisit, ready, visitCookies } from './probes.ts';
import { slides } from './slides.ts';

function quote(page: Page): string {
  const text = pageText(page.body);
  return `“${text.length > 160 ? `${text.slice(0, 160)}…` : text}”`;
}

/** The first-visit cookie(s), or CannotCheck when there are none. */
async function visitCookiesOrSkip(ctx: VerifyContext): Promise<SetCookie[]> {
  const cookies = await visitCookies(ctx);
  if (!cookies.length) throw new CannotCheck(`the app sets no signed first-visit cookie ${seeCheck(checks, 'step2.signed-cookie')}.`);
  return cookies;
}

/** GET / with the visitor's cookies, the first-visit ones replaced by `tamper`. */
async function visitWith(ctx: VerifyContext, tamper: (c: SetCookie) => string): Promise<Page> {
  const visit = await visitCookiesOrSkip(ctx);
  const { visitor } = await firstVisit(ctx);
  const app = await ready(ctx);
  const names = new Set(visit.map((c) => c.name));
  const others = (await visitor.cookies(app.base)).filter((c) => !names.has(c.name));
  const cookie = cookieHeader([...others, ...visit.map((c) => ({ name: c.name, value: tamper(c) }))]);
  return ctx.visit({ cookie }, app, '/');
}

function judgeNewVisitor(ctx: VerifyContext, page: Page, what: string): string {
  if (page.status !== 200) throw ctx.notOk(page, `GET / with ${what}`);
  const text = pageText(page.body);
  if (saysWelcomeBack(text)) {
    fail(
      `With ${what}, the page says “Welcome back”: it trusted the cookie. Expected a new visitor's “Welcome”.`,
      'Read the cookie from `req.signedCookies`, never from `req.cookies`: cookie-parser only puts a cookie there when its signature is right (a wrong one comes out as `false`). Treat anything falsy as a new visitor.',
    );
  }
  if (!saysWelcomeNew(text)) fail(`With ${what}, the page does not say “Welcome”: ${quote(page)}.`, 'Welcome a new visitor with “Welcome”.');
  return `With ${what}, the page welcomes a new visitor.`;
}

const checks: Check<VerifyContext>[] = [
  {
    id: 'step2.signed-cookie',
    title: 'A new visitor gets a signed cookie',
    slide: slides.signedCookie,
    needs: ['step1.home-page'],
    async run(ctx) {
      const cookies = await visitCookies(ctx);
      if (!cookies.length) {
        const [page] = (await firstVisit(ctx)).pages;
        const set = latestByName(page?.setCookies ?? []);
        fail(
          set.length
            ? `A new visitor's GET / sets ${set.map((c) => c.name).join(', ')}, but no signed cookie${ctx.redis ? ' besides the session cookie' : ''}.`
            : "A new visitor's GET / sets no cookie at all.",
          'Set the first-visit cookie with `signed: true`: `res.cookie(\'firstVisit\', new Date().toISOString(), { signed: true, httpOnly: true })`, with `app.use(cookieParser(secret))` before the routes.',
        );
      }
      return `Signed: ${cookies.map((c) => `${c.name}=${decodeURIComponent(c.value).slice(0, 24)}…`).join(', ')}.`;
    },
  },
  {
    id: 'step2.cookie-httponly',
    title: 'The signed cookie is HttpOnly',
    slide: slides.signedCookie,
    needs: ['step2.signed-cookie'],
    async run(ctx) {
      const open = (await visitCookies(ctx)).filter((c) => !c.httpOnly);
      if (open.length) {
        fail(`${open.map((c) => c.name).join(', ')} is set without HttpOnly: page scripts can read it.`, httpOnlyHint('the first-visit cookie (`res.cookie(name, value, { signed: true, httpOnly: true })`)'));
      }
      return 'Set with HttpOnly.';
    },
  },
  {
    id: 'step2.welcome',
    title: 'A new visitor sees “Welcome”',
    slide: slides.welcomeView,
    needs: ['step1.home-page'],
    async run(ctx) {
      const [page] = (await firstVisit(ctx)).pages;
      if (!page) throw new Error('no page');
      const text = pageText(page.body);
      if (saysWelcomeBack(text)) fail(`A visitor without cookies is welcomed back: ${quote(page)}.`, 'Only a visitor whose signed cookie is valid has been here before.');
      if (!saysWelcomeNew(text)) fail(`A new visitor's page does not say “Welcome”: ${quote(page)}.`, 'Show “Welcome” when `req.signedCookies` has no first-visit cookie.');
      return 'A visitor without cookies sees “Welcome”.';
    },
  },
  {
    id: 'step2.welcome-back',
    title: 'A returning visitor with the signed cookie sees “Welcome back”',
    slide: slides.welcomeView,
    needs: ['step2.signed-cookie', 'step2.welcome'],
    async run(ctx) {
      const page = (await firstVisit(ctx)).pages[1];
      if (!page) throw new Error('no page');
      if (page.status !== 200) throw ctx.notOk(page, 'GET / with the cookie', (await ctx.main()).stderr);
      if (!saysWelcomeBack(pageText(page.body))) {
        fail(
          `Coming back with the cookie it was given, the visitor is not welcomed back: ${quote(page)}.`,
          'Read the cookie from `req.signedCookies` (not `req.cookies`, where cookie-parser leaves only unsigned ones), and say “Welcome back” when it is there.',
        );
      }
      return 'With the cookie from the first visit, the page says “Welcome back”.';
    },
  },
  {
    id: 'step2.forged-signature',
    title: 'A cookie with a wrong signature counts as a new visitor',
    slide: slides.signedCookie,
    needs: ['step2.welcome-back'],
    async run(ctx) {
      const cookies = await visitCookiesOrSkip(ctx);
      const page = await visitWith(ctx, (c) => forgeSignature(c.value));
      return judgeNewVisitor(ctx, page, `a forged signature on ${cookies.map((c) => c.name).join(', ')}`);
    },
  },
  {
    id: 'step2.unsigned-cookie',
    title: 'An unsigned cookie of the same name counts as a new visitor',
    slide: slides.signedCookie,
    needs: ['step2.welcome-back'],
    async run(ctx) {
      const cookies = await visitCookiesOrSkip(ctx);
      const page = await visitWith(ctx, (c) => encodeURIComponent(unsignedValue(c.value)));
      return judgeNewVisitor(ctx, page, `an unsigned ${cookies.map((c) => c.name).join(', ')} cookie`);
    },
  },
];

export default { checks } satisfies StepChecks;
