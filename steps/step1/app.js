// Step 1: an Express app with pug views, a router and static files.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import indexRouter from './routes/index.js';

const app = express();
const port = Number(process.env.PORT) || 3000;
// This file's folder (import.meta.dirname would need Node 20.11).
const here = dirname(fileURLToPath(import.meta.url));

// res.render('index') renders views/index.pug.
app.set('views', join(here, 'views'));
app.set('view engine', 'pug');

// Files in public/ are served as they are: public/stylesheets/style.css
// answers /stylesheets/style.css.
app.use(express.static(join(here, 'public')));

app.use('/', indexRouter);

// Express 5 hands a failure to listen (the port is taken) to this callback.
app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`Listening on http://127.0.0.1:${port}`);
});
