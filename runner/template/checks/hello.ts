// Step "hello": what `npm run verify hello` proves, judged from behaviour.
// Each check starts nothing itself: ctx.main() starts the app once per run,
// ctx.visitor() is a browser with a cookie jar, ctx.visit() a GET as it
// sends one. A check returns what it saw, or fail()s with what it saw
// against what was expected, and what to do.
import { fail, h1Text, type StepChecks } from 'workshop-runner';

export default {
  checks: [
    {
      id: 'hello.page', // stable: reports, fixtures' verdicts and `needs` name it
      title: 'GET / answers a page whose <h1> says hello',
      slide: { deck: 'hello', heading: 'Say hello' }, // the slide that teaches it, by its heading
      async run(ctx) {
        const page = await ctx.visit(ctx.visitor(), await ctx.main(), '/');
        if (page.status !== 200) throw ctx.notOk(page, 'GET /');
        const h1 = h1Text(page.body);
        if (!h1 || !/hello/i.test(h1)) fail(`The page's <h1> is ${h1 ? `“${h1}”` : 'missing'}.`, 'Answer `GET /` with `<h1>Hello, world</h1>`.');
        return `GET / answered 200 with <h1>${h1}</h1>.`;
      },
    },
    {
      id: 'hello.name',
      title: 'GET /?name=Ada greets Ada by name',
      slide: { deck: 'hello', heading: 'Greet by name' },
      needs: ['hello.page'], // skipped, with the reason, unless the page passed
      async run(ctx) {
        const page = await ctx.visit(ctx.visitor(), await ctx.main(), '/?name=Ada');
        if (page.status !== 200) throw ctx.notOk(page, 'GET /?name=Ada');
        const h1 = h1Text(page.body) ?? '';
        if (!h1.includes('Ada')) fail(`GET /?name=Ada answered <h1>${h1}</h1>, without the name.`, 'Read the name from `req.query.name`.');
        return `GET /?name=Ada answered <h1>${h1}</h1>.`;
      },
    },
  ],
} satisfies StepChecks;
