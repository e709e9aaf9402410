// The starting point: the smallest Express app there is.
// Step 1 grows it into an app with views, routes and static files.
import express from 'express';

const app = express();
const port = Number(process.env.PORT) || 3000;

app.get('/', (req, res) => {
  res.send('Hello');
});

// Express 5 hands a failure to listen (the port is taken) to this callback.
app.listen(port, '127.0.0.1', (err) => {
  if (err) throw err;
  console.log(`Listening on http://127.0.0.1:${port}`);
});
