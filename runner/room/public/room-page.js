// The instructor's room page: the room as the runner pushes it (GET
// /api/room/events), drawn anew on each push. Every name, id, hint and
// title goes in as text: a learner's name is whatever they typed.

const pageKey = document.querySelector('meta[name="workshop-page-key"]')?.getAttribute('content') ?? '';
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** h('li', { class: 'x' }, 'text', child): text is always text. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const marks = { passed: '✓', failed: '✗', skipped: '–' };
const words = { passed: 'passed', failed: 'failed', skipped: 'not run' };

/** "just now", "4 min ago", "1 h 5 min ago". */
function ago(at, now) {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.floor(m / 60)} h ${m % 60} min ago`;
}
const since = (at, now) => ago(at, now).replace(/ ago$/, '');

/** The page's clock against the runner's: times are drawn with the runner's. */
let skew = 0;
let last;

function slideLink(slide) {
  if (!slide) return null;
  return h('a', { href: `/slide/${encodeURIComponent(slide.deck)}/${slide.n}`, target: '_blank', rel: 'noopener' }, `${slide.deck}, slide ${slide.n}: ${slide.title}`);
}

function render(view) {
  last = view;
  skew = view.now - Date.now();
  const now = view.now;
  const src = $('source');
  src.textContent = view.room.connected ? `Reading ${view.room.key} at ${view.room.host}` : view.room.message ?? `Lost ${view.room.host}: retrying…`;
  src.classList.toggle('bad', !view.room.connected);

  $('count').textContent = `(${view.learners.length})`;
  $('stuck').replaceChildren(
    ...(view.stuck.length
      ? view.stuck.map((s) => h('li', {}, h('strong', { class: 'name' }, s.name), ' on ', h('code', {}, s.check), h('span', { class: 'muted' }, ` for ${since(s.since, now)} (${s.step})`)))
      : [h('li', { class: 'none' }, 'Nobody.')]),
  );
  $('failing').replaceChildren(
    ...(view.failing.length
      ? view.failing.map((f) =>
          h(
            'li',
            {},
            h('p', { class: 'check' }, h('code', {}, f.id), h('span', { class: 'muted' }, ` — ${f.count} learner${f.count === 1 ? '' : 's'}: ${f.names.join(', ')}`)),
            f.hint ? h('p', { class: 'hint' }, f.hint) : null,
            f.slide ? h('p', { class: 'slide-link' }, slideLink(f.slide)) : null,
          ),
        )
      : [h('li', { class: 'none' }, 'No check is failing.')]),
  );
  $('rows').replaceChildren(
    ...(view.learners.length
      ? view.learners.map((l) => {
          const ids = Object.keys(l.checks);
          return h(
            'tr',
            { class: [l.silent ? 'silent' : '', l.stuck ? 'is-stuck' : ''].join(' ').trim() || null, 'data-learner': l.id },
            h('th', { scope: 'row', class: 'name' }, l.name),
            h('td', { class: 'step' }, l.step, l.slide ? h('span', { class: 'muted' }, ` · slide ${l.slide.split('/')[1]}`) : null),
            h(
              'td',
              { class: 'checks' },
              h('div', { class: 'cells' }, ...(ids.length
                ? ids.map((id) => h('span', { class: `cell ${l.checks[id]}`, title: `${id}: ${words[l.checks[id]]}`, 'data-check': id, role: 'img', 'aria-label': `${id}: ${words[l.checks[id]]}` }, marks[l.checks[id]] ?? '?'))
                : [h('span', { class: 'muted' }, 'joined, no verify yet')])),
            ),
            h('td', { class: 'at' }, h('time', { datetime: new Date(l.at).toISOString(), 'data-at': l.at }, ago(l.at, now)), l.silent ? h('span', { class: 'muted' }, ' (silent)') : null),
          );
        })
      : [h('tr', {}, h('td', { colspan: 4, class: 'none' }, 'No learner yet. They join with: npm run workshop -- join <URL> --name "<name>"'))]),
  );
}

// Times move on between pushes.
setInterval(() => {
  if (!last) return;
  const now = Date.now() + skew;
  for (const t of document.querySelectorAll('time[data-at]')) t.textContent = ago(Number(t.getAttribute('data-at')), now);
}, 5000);

async function listen() {
  const banner = $('connection');
  try {
    const res = await fetch('/api/room/events', { headers: { 'X-Workshop-Page': pageKey }, cache: 'no-store' });
    if (res.status === 403) {
      banner.textContent = "This page no longer has the room's key: open the link the terminal printed.";
      banner.hidden = false;
      return;
    }
    if (!res.ok || !res.body) throw new Error(String(res.status));
    banner.hidden = true;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('');
        if (frame.includes('event: room') && data) render(JSON.parse(data));
      }
    }
  } catch {
    // reconnect below
  }
  banner.textContent = 'Lost the connection to the room page: is `npm run workshop -- room` still running? Reconnecting…';
  banner.hidden = false;
  setTimeout(listen, 1000);
}
void listen();
