import { Router } from 'express';

const router = Router();
const oneYear = 365 * 24 * 60 * 60 * 1000;

router.get('/', (req, res) => {
  // Only a cookie we signed ourselves counts: a forged one is false in
  // req.signedCookies, an unsigned one is not there; either sender is new.
  const firstVisit = req.signedCookies.firstVisit;

  if (!firstVisit) {
    res.cookie('firstVisit', new Date().toISOString(), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      maxAge: oneYear,
    });
  }

  // Anything put on req.session is saved in Redis and is there again on the
  // next request with the same session cookie.
  req.session.visits = (req.session.visits || 0) + 1;

  res.render('index', { title: 'Express', firstVisit });
});

export default router;
