// The app a learner starts from: Express, listening on PORT, with no routes yet.
import express from 'express';

const app = express();

app.listen(Number(process.env.PORT) || 3000);
