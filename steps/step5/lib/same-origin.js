// Cross-site request forgery: another site's page can make your browser send
// a form to us (a form that submits itself, a script's fetch). SameSite=Lax
// keeps our session cookie out of such a POST, but our answer still reaches
// the browser, and the browser stores what its Set-Cookie says: a forged
// POST /logout would clear the learner's cookie, a forged POST /login would
// log the browser in as the attacker. So such a POST must do nothing at all.
//
// Browsers say where a request comes from, and a page cannot change it:
// - Origin: the scheme, host and port of the page that sent it ("null" from
//   a sandboxed frame or a file). curl and other scripts send none.
// - Sec-Fetch-Site: 'same-origin', 'same-site' (a sibling subdomain),
//   'cross-site', or 'none' (the user typed the address).
// Checking either stops a browser; we check both, as browsers that predate
// Sec-Fetch-Site still send Origin.

// #region same-origin
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameOrigin(req, res, next) {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.get('Sec-Fetch-Site');
  const origin = req.get('Origin');
  // Our own origin as the browser sees it: behind a trusted HTTPS proxy,
  // req.protocol is 'https' (see 'trust proxy' in app.js).
  const ours = `${req.protocol}://${req.host}`;
  const fromElsewhere = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && origin !== ours);
  if (fromElsewhere) {
    return res.status(403).render('error', { title: 'Refused', message: 'This form was sent from another site, so nothing was done.' });
  }
  next();
}
// #endregion
