// The step 3 app with express-session's default MemoryStore instead of Redis:
// the baseline `npm run bench` measures the Redis store against. Not for
// learners: a MemoryStore forgets every session on restart and is not shared
// between instances. Routes and views are step 3's own.
import { join } from 'node:path';
import express from 'express';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import indexRouter from '../../../steps/step3/routes/index.js';

const step3 = join(import.meta.dirname, '../../../steps/step3');
const secret = 'bench secret';
const app = express();

app.set('views', join(step3, 'views'));
app.set('view engine', 'pug');
app.use(express.static(join(step3, 'public')));
app.use(cookieParser(secret));
app.use(
  session({
    secret,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
  }),
);
app.use((req, res, next) => {
  res.locals.session = req.session;
  next();
});
app.use('/', indexRouter);

app.listen(Number(process.env.PORT) || 3000, '127.0.0.1');
