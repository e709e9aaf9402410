// The slide that teaches each clause, in ONE place so the numbers can be
// corrected when the decks change. Slide 1 is the text before the first
// `---` line of slides/<deck>.md; `test/checks-slides.test.ts` checks every
// reference against the decks that exist.
export interface SlideRef {
  deck: 'step1' | 'step2' | 'step3';
  slide: number;
  title: string;
}

const ref = (deck: SlideRef['deck'], slide: number, title: string): SlideRef => ({ deck, slide, title });

export const slides = {
  // Step 1: an Express app.
  packageJson: ref('step1', 3, 'package.json: Add pug'),
  router: ref('step1', 5, 'routes/index.js: A router for /'),
  pugView: ref('step1', 6, 'Views: layout.pug holds the page, index.pug fills it in'),
  staticFiles: ref('step1', 7, 'Static files: public/ is served as it is'),
  startApp: ref('step1', 8, 'Start your app!'),

  // Step 2: cookie parsing.
  packageJson2: ref('step2', 3, 'package.json: Add cookie-parser'),
  cookieParser: ref('step2', 4, 'app.js: Parse cookies, with a secret'),
  signedCookie: ref('step2', 5, 'Signed cookies: Only a cookie we signed counts'),
  welcomeView: ref('step2', 6, 'views/index.pug: Welcome, or welcome back'),

  // Step 3: the seed deck, updated.
  packageJson3: ref('step3', 6, 'package.json: Add connect-redis, express-session and redis'),
  requireStore: ref('step3', 7, 'app.js: Import connect-redis and set it up for express'),
  sessionStore: ref('step3', 9, 'app.js: Configure a new session with our Redis SessionStore'),
  visitsRoute: ref('step3', 10, 'routes/index.js: Add a quick visits counter to our index'),
  visitsView: ref('step3', 11, 'views/index.pug: Add a quick visits counter to our index'),
  locals: ref('step3', 12, 'app.js: Add a res.locals helper to give every view the session'),
  redisCli: ref('step3', 16, 'Connect to redis: Use redis-cli to view the session objects'),
  whenItDoesntWork: ref('step3', 17, "When it doesn't work"),
} as const satisfies Record<string, SlideRef>;

/** The slide where a package joins package.json. */
export function slideForPackage(name: string): SlideRef {
  if (name === 'cookie-parser') return slides.packageJson2;
  if (['connect-redis', 'express-session', 'redis'].includes(name)) return slides.packageJson3;
  return slides.packageJson;
}

/** The slide that teaches the fix for a diagnosed mistake (see hints.ts). */
export function slideForTopic(topic: string | undefined): SlideRef | undefined {
  switch (topic) {
    case 'connect-redis':
      return slides.requireStore;
    case 'locals':
      return slides.locals;
    case 'redis-client':
    case 'redis-url':
    case 'session-order':
    case 'session-secret':
      return slides.sessionStore;
    case 'cookie-secret':
      return slides.cookieParser;
    case 'port':
      return slides.startApp;
    case 'view':
      return slides.pugView;
    case 'install':
      return slides.packageJson;
    default:
      return undefined;
  }
}

/** "step3 slide 10, “routes/index.js: a visits counter”" */
export function describeSlide(slide: SlideRef): string {
  return `slides/${slide.deck}.md, slide ${slide.slide}: ${slide.title}`;
}
