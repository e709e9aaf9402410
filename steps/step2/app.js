// Step 2: signed cookies with cookie-parser.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import cookieParser from 'cookie-parser';
import indexRouter from './routes/index.js';

const app = express();
const port = Number(process.env.PORT) || 3000;
const here = dirname(fileURLToPath(import.meta.url)); // this file's folder

// Signs cookies so visitors cannot forge them. Keep it out of the code in
// production: set COOKIE_SECRET.
const secret = process.env.COOKIE_SECRET || 'keyboard cat';

app.set('views', join(here, 'views'));
app.set('view engine', 'pug');

app.use(express.static(join(here, 'public')));

// Parses the Cookie header into req.cookies, and checks signed cookies into
// req.signedCookies (a cookie whose signature is wrong is there as false).
app.use(cookieParser(secret));

app.use('/', indexRouter);

// Express 5 hands a failure to listen (the port is taken) to this callback.
app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`Listening on http://127.0.0.1:${port}`);
});
