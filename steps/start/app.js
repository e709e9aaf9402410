// The starting point: the smallest Express app there is.
// Step 1 grows it into an app with views, routes and static files.
import express from 'express';

const app = express();
const port = Number(process.env.PORT) || 3000;

app.get('/', (req, res) => {
  res.send('Hello');
});

app.listen(port, '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${port}`);
});
