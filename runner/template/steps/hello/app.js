// Step "hello", solved: a page that says hello, by name when the address
// gives one (/?name=Ada).
import express from 'express';

const app = express();

// A name from the address goes into HTML: escaped, it cannot become markup.
const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// #region home
app.get('/', (req, res) => {
  const name = typeof req.query.name === 'string' ? req.query.name : 'world';
  res.send(`<!doctype html><title>Hello</title><h1>Hello, ${escape(name)}</h1>`);
});
// #endregion

app.listen(Number(process.env.PORT) || 3000);
