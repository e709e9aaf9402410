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
  startApp: ref('step1', 8, 'Start your app'),
  packageJson: ref('step1', 3, 'package.json'),
  pugView: ref('step1', 6, 'views/index.pug'),
  router: ref('step1', 5, 'routes/index.js'),
  staticFiles: ref('step1', 4, 'app.js: views and static files'),

  // Step 2: cookie parsing.
  cookieParser: ref('step2', 3, 'app.js: cookie-parser with a secret'),
  signedCookie: ref('step2', 4, 'routes/index.js: a signed first-visit cookie'),
  welcomeView: ref('step2', 5, 'views/index.pug: Welcome or Welcome back'),
  signatures: ref('step2', 6, 'What a signature protects'),

  // Step 3: the seed deck, updated (see DESIGN.md "Deck format").
  packageJson3: ref('step3', 6, 'package.json: add connect-redis'),
  requireStore: ref('step3', 7, 'app.js: require connect-redis'),
  sessionStore: ref('step3', 9, 'app.js: a session with our Redis store'),
  visitsRoute: ref('step3', 10, 'routes/index.js: a visits counter'),
  visitsView: ref('step3', 11, 'views/index.pug: show the visits'),
  locals: ref('step3', 12, 'app.js: the session in res.locals'),
  redisCli: ref('step3', 16, 'Connect to redis: view the session objects'),
  whenItDoesntWork: ref('step3', 17, "When it doesn't work"),
} as const satisfies Record<string, SlideRef>;

/** The slide that teaches the fix for a diagnosed mistake (see hints.ts). */
export function slideForTopic(topic: string | undefined): SlideRef | undefined {
  switch (topic) {
    case 'connect-redis':
      return slides.requireStore;
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
