import { Router } from 'express';

const router = Router();
const oneYear = 365 * 24 * 60 * 60 * 1000;

router.get('/', (req, res) => {
  // Only a cookie we signed ourselves counts: a forged one is false in
  // req.signedCookies, an unsigned one is not there; either sender is new.
  const firstVisit = req.signedCookies.firstVisit;

  if (!firstVisit) {
    res.cookie('firstVisit', new Date().toISOString(), {
      signed: true, // adds our signature to the value
      httpOnly: true, // page scripts cannot read it
      sameSite: 'lax',
      maxAge: oneYear,
    });
  }

  res.render('index', { title: 'Express', firstVisit });
});

export default router;
