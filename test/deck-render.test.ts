// Rendering: code excerpts with the file's real line numbers and its
// highlighted lines, transcripts, assets, escaping, and every problem as
// deck file:line. Files come from an in-memory reader or a temp directory.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileReader } from '../runner/deck/files.ts';
import { renderDeckText } from '../runner/deck/render.ts';

const root = '/repo';
const deckPath = '/repo/slides/test.md';

function memoryFiles(files: Record<string, string>): FileReader {
  const has = (p: string) => p in files || Object.keys(files).some((f) => f.startsWith(p + '/'));
  return {
    read: (p) => (p in files ? Buffer.from(files[p]!) : undefined),
    realpath: (p) => (has(p) || p === root ? p : undefined),
  };
}

const app = Array.from({ length: 30 }, (_, i) => `const line${i + 1} = ${i + 1};`).join('\n') + '\n';
const files = memoryFiles({
  '/repo/steps/step3/app.js': app,
  '/repo/steps/step3/views/index.jade': 'p #{session.visits} <b>',
  '/repo/slides/term/run.txt': '$ redis-cli ping\nPONG\n<script>alert(1)</script>\n',
  '/repo/slides/img/shot.png': 'PNG',
  '/repo/slides/term/curl.txt': '$ curl -s http://127.0.0.1:3000/\nListening on http://127.0.0.1:3000\n',
});
const render = (text: string) => renderDeckText(text, deckPath, { root, files, assetUrl: (rel) => `/assets/${rel}` });

describe('code directives', () => {
  it('shows the lines asked for, numbered as in the file, with highlight counted in the excerpt', () => {
    const deck = render("# A\ncode src='node/auth-workshop/step3/app.js' lines='15-25' highlight='6:*'\n");
    expect(deck.problems).toEqual([]);
    const html = deck.slides[0]!.html;
    const numbers = [...html.matchAll(/data-line="(\d+)"/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    const highlighted = [...html.matchAll(/class="line hl" data-line="(\d+)"/g)].map((m) => Number(m[1]));
    expect(highlighted).toEqual([20]);
    expect(html).toContain('<span class="ln" aria-hidden="true">20</span>');
    expect(html).toContain('hljs-keyword'); // coloured on the server
    expect(html).toContain('steps/step3/app.js');
  });

  it('escapes what the files contain', () => {
    const deck = render("# A\ncode src='steps/step3/views/index.jade'\nterm src='term/run.txt'\n");
    expect(deck.problems).toEqual([]);
    expect(deck.slides[0]!.html).not.toContain('<b>');
    expect(deck.slides[0]!.html).not.toContain('<script>');
    expect(deck.slides[0]!.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('reports each problem at its deck line, and shows it on the slide', () => {
    const deck = render(
      [
        '# A', // 1
        "code src='steps/step3/missing.js'", // 2
        "code src='steps/step3/app.js' lines='25-40'", // 3
        "code src='steps/step3/app.js' lines='1-5' highlight='6:*'", // 4
        '---', // 5
        "code src='../etc/passwd'", // 6
        "code src='steps/step3/app.js' region='session'", // 7
        "slideshow src='x'", // 8
        '<img src="img/nope.png">', // 9
        "term src='term/absent.txt'", // 10
      ].join('\n'),
    );
    expect(deck.problems.map((p) => `${p.file}:${p.line}`)).toEqual([
      'slides/test.md:2',
      'slides/test.md:3',
      'slides/test.md:4',
      'slides/test.md:6',
      'slides/test.md:7',
      'slides/test.md:8',
      'slides/test.md:9',
      'slides/test.md:10',
    ]);
    const messages = deck.problems.map((p) => p.message);
    expect(messages[0]).toMatch(/does not exist/);
    expect(messages[1]).toMatch(/outside the file, which has 30 lines/);
    expect(messages[2]).toMatch(/highlight 6 is outside the excerpt, which has 5 lines/);
    expect(messages[3]).toMatch(/outside the repository/);
    expect(messages[4]).toMatch(/no "#region session"/);
    expect(messages[5]).toMatch(/unknown directive "slideshow"/);
    expect(messages[6]).toMatch(/asset "img\/nope.png" does not exist/);
    expect(deck.slides[0]!.html).toContain('class="deck-error"');
    expect(deck.slides[0]!.html).toContain('slides/test.md:3: code steps/step3/app.js: lines=&#34;25-40&#34; is outside the file');
  });
});

describe('markdown', () => {
  it('renders heading classes, raw HTML and assets through the asset URL', () => {
    const deck = render('###.center.big Thanks\n<img src="img/shot.png" class="focus-border">\n\n![shot](img/shot.png)\n');
    expect(deck.problems).toEqual([]);
    const html = deck.slides[0]!.html;
    expect(html).toContain('<h3 class="center big">Thanks</h3>');
    expect(html).toContain('<img src="/assets/img/shot.png" class="focus-border">');
    expect(html).toContain('<img src="/assets/img/shot.png" alt="shot">');
  });

  it('renders the seed deck, its code read from steps/, and names what is missing', () => {
    const seed = readFileSync(join(import.meta.dirname, 'fixtures', 'seed-deck.md'), 'utf8');
    const tenLines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n');
    const seedFiles = memoryFiles({
      '/repo/steps/step3/app.js': Array.from({ length: 45 }, (_, i) => `var a${i + 1};`).join('\n'),
      '/repo/steps/step3/package.json': tenLines,
      '/repo/steps/step3/routes/index.js': tenLines,
      '/repo/steps/step3/views/index.jade': tenLines,
    });
    const deck = renderDeckText(seed, deckPath, { root, files: seedFiles });
    expect(deck.slides).toHaveLength(16);
    // What is missing is named, with its line: nothing renders silently empty.
    expect(deck.problems.map((p) => p.line)).toEqual([12, 27, 66, 69, 72, 76]);
    expect(deck.slides[8]!.html).toMatch(/data-line="21"/);
  });
});

describe('commands', () => {
  it("marks a shell snippet's lines as commands, and keeps every command as recorded: the page rewrites them for its runner, the export does not", () => {
    const deck = render("```sh\nredis-cli GET sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6\n```\n\n```js\nconst port = 3000;\n```\n\nterm src='term/curl.txt'\n");
    expect(deck.problems).toEqual([]);
    const html = deck.slides[0]!.html;
    expect(html).toContain('<figure class="code snippet shell">');
    expect(html).toContain('<figure class="code snippet"><pre><code class="hljs language-js">');
    expect(html).toContain('sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6');
    expect(html).toContain('<span class="cmd">curl -s http://127.0.0.1:3000/</span>');
  });
});

describe('paths stay inside', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deck-render-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a symlink that leads out of the repository or slides/', () => {
    const repo = join(dir, 'repo');
    const outside = join(dir, 'secret.txt');
    writeFileSync(outside, 'secret\n');
    mkdirSync(join(repo, 'slides', 'term'), { recursive: true });
    mkdirSync(join(repo, 'steps'), { recursive: true });
    symlinkSync(outside, join(repo, 'steps', 'link.js'));
    symlinkSync(outside, join(repo, 'slides', 'term', 'link.txt'));
    writeFileSync(join(repo, 'steps', 'ok.js'), 'ok\n');
    const deck = renderDeckText("# A\ncode src='steps/link.js'\nterm src='term/link.txt'\ncode src='steps/ok.js'\n", join(repo, 'slides', 'x.md'), {
      root: repo,
    });
    expect(deck.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'code: "steps/link.js" leads outside the repository'],
      [3, 'term: "term/link.txt" leads outside slides/'],
    ]);
    expect(deck.slides[0]!.html).not.toContain('secret');
    expect(deck.slides[0]!.html).toContain('>ok<');
  });
});
