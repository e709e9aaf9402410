import { Router } from 'express';

const router = Router();

// GET / renders views/index.pug with a title.
router.get('/', (req, res) => {
  res.render('index', { title: 'Express' });
});

export default router;
