// The link's landing page, reached from another page (the file the runner
// opens): the cookie is set; this page's own navigation sends it, keeping
// the deep link (#/step3/7) and leaving the token out of the address bar.
location.replace(`/${location.hash}`);
