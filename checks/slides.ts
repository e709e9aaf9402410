// The slide that teaches each clause of this workshop, named by its deck
// and heading (the engine finds its number when checks run; see
// the engine's verify/slide-links.ts). `npm run workshop -- lint` reports a link that
// lands on no slide, or on two.
import type { SlideLink } from 'workshop-runner';

const slide = (deck: string, heading: string): SlideLink => ({ deck, heading });

export const slides = {
  // Step 1: an Express app.
  packageJson: slide('step1', 'package.json: Add pug'),
  router: slide('step1', 'routes/index.js: A router for /'),
  pugView: slide('step1', 'Views: layout.pug holds the page, index.pug fills it in'),
  staticFiles: slide('step1', 'Static files: public/ is served as it is'),
  startApp: slide('step1', 'Start your app!'),

  // Step 2: cookie parsing.
  packageJson2: slide('step2', 'package.json: Add cookie-parser'),
  cookieParser: slide('step2', 'app.js: Parse cookies, with a secret'),
  signedCookie: slide('step2', 'Signed cookies: Only a cookie we signed counts'),
  welcomeView: slide('step2', 'views/index.pug: Welcome, or welcome back'),

  // Step 3: the seed deck, updated.
  packageJson3: slide('step3', 'package.json: Add connect-redis, express-session and redis'),
  requireStore: slide('step3', 'app.js: Import connect-redis and set it up for express'),
  sessionStore: slide('step3', 'app.js: Configure a new session with our Redis SessionStore'),
  visitsRoute: slide('step3', 'routes/index.js: Add a quick visits counter to our index'),
  visitsView: slide('step3', 'views/index.pug: Add a quick visits counter to our index'),
  locals: slide('step3', 'app.js: Add a res.locals helper to give every view the session'),
  redisCli: slide('step3', 'Connect to redis: Use redis-cli to view the session objects'),
  whenItDoesntWork: slide('step3', "When it doesn't work"),

  // Step 5: your devices (step 4's checks name their slides in checks/step4.ts).
  secondUser: slide('step5', 'What changes in step 5?'),
  noSessionId: slide('step5', 'Why a session id never reaches a page'),
  noKeysOrScan: slide('step5', 'Why not KEYS or SCAN'),
  indexPerUser: slide('step5', 'An index per user'),
  indexExpires: slide('step5', 'The index expires too'),
  accountLists: slide('step5', 'The account page lists them'),
  deviceAsText: slide('step5', 'Each device, as text'),
  endedSessions: slide('step5', 'Sessions that ended on their own'),
  revokeDevice: slide('step5', 'Revoking another device'),
  handleYours: slide('step5', 'Is this handle yours?'),
  inFlight: slide('step5', 'A request in flight'),
  logoutIndex: slide('step5', 'Log out: the index too'),
  everywhereElse: slide('step5', 'Log out everywhere else'),
  // Step 4's rule, which step 5's forms keep.
  otherSites: slide('step4', 'Refuse forms from other sites'),
} as const satisfies Record<string, SlideLink>;

/** The slide where a package joins package.json. */
export function slideForPackage(name: string): SlideLink {
  if (name === 'cookie-parser') return slides.packageJson2;
  if (['connect-redis', 'express-session', 'redis'].includes(name)) return slides.packageJson3;
  return slides.packageJson;
}
