// Step 1: an Express app with pug views, a router and static files.
import { join } from 'node:path';
import express from 'express';
import indexRouter from './routes/index.js';

const app = express();
const port = Number(process.env.PORT) || 3000;

// res.render('index') renders views/index.pug.
app.set('views', join(import.meta.dirname, 'views'));
app.set('view engine', 'pug');

// Files in public/ are served as they are: public/stylesheets/style.css
// answers /stylesheets/style.css.
app.use(express.static(join(import.meta.dirname, 'public')));

app.use('/', indexRouter);

// Express 5 hands a failure to listen (the port is taken) to this callback.
app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`Listening on http://127.0.0.1:${port}`);
});
