// Step 5, your devices: ada logs in on four devices and grace on four, each
// a visitor with a User-Agent of its own; each login joins an index of the
// user's sessions (one key per user, found by what a login adds in Redis),
// /account lists the user's devices without walking the store, and each
// device is logged out by the clause that judges it (step5-probes.ts says
// in which order, and why). Step 4's checks run first, as every earlier
// step's do. One check per clause of docs/contract.md.
import { CannotCheck, fail, type Check, type Page, type StepChecks, type VerifyContext } from 'workshop-runner';
import { judgeCrossSite } from './step4-attacks.ts';
import { slides } from './slides.ts';
import {
  ADA_DEVICES,
  adaDevices,
  crossSitePosts,
  endedSessions,
  entriesShowing,
  foreignHandle,
  GRACE,
  GRACE_DEVICES,
  graceDevices,
  hasRevokeOthers,
  ISO_8601,
  logoutDevice,
  phoneListing,
  PLAIN,
  revokeOther,
  writtenBack,
  revokeOthers,
  revokeSelf,
  shown,
  shows,
  startDevices,
  unknownHandle,
  type AccountListing,
  type AdaDevice,
  type TtlObservation,
} from './step5-probes.ts';
import { USER } from './step4-probes.ts';

const isRedirect = (page: Page) => page.status === 302 || page.status === 303;
const redirectsTo = (page: Page, path: string) => isRedirect(page) && new URL(page.location ?? '', 'http://app.invalid/').pathname === path;
const answered = (page: Page) => `${page.status}${page.location ? ` to ${page.location}` : ''}`;

/** ada's devices that logged in (a device refused at login is step 4's to report). */
async function loggedInDevices(ctx: VerifyContext) {
  const ada = await adaDevices(ctx);
  if (ada.refused.length === Object.keys(ADA_DEVICES).length) throw new CannotCheck(`${USER.username}'s logins answered ${ada.devices.phone.login.status}, so none of her devices is logged in.`);
  return ada;
}

/** The account page on ada's phone, with her devices: 200, or the check fails with what it answered. */
async function accountPage(ctx: VerifyContext): Promise<AccountListing & { devices: Awaited<ReturnType<typeof adaDevices>>['devices']; refused: AdaDevice[] }> {
  const { devices, refused } = await loggedInDevices(ctx);
  const listing = await phoneListing(ctx);
  if (listing.page.status !== 200) throw ctx.notOk(listing.page, `GET /account on ${devices.phone.label}`);
  return { ...listing, devices, refused };
}

/** How an entry of the list is found: the first 60 characters of its User-Agent. */
const quoted = (userAgent: string) => `“${shown(userAgent)}”`;

const indexHint =
  "At login, once the session is saved, add it to the user's own key: `await redis.hSet('devices:' + name, handle, req.sessionID)` (or `sAdd`, `zAdd`), and list the user's sessions from that key alone.";

function judgeTtl(who: string, key: string, ttl: TtlObservation): string {
  if (ttl.index === -1) {
    fail(
      `${key}, the index of ${who}'s sessions, never expires (TTL -1): a user who never comes back leaves it in Redis for good.`,
      "Give it an expiry in the same step that adds to it, at least as long as a session's: `redis.multi().hSet(key, handle, sid).expire(key, ttl).exec()`, and renew it at each login and wherever the app extends a session.",
    );
  }
  if (ttl.index === undefined) throw new CannotCheck(`${key} was gone when its TTL was read.`);
  if (ttl.longest && ttl.index < ttl.longest.ttl - ttl.slackSeconds) {
    fail(
      `${key}, the index of ${who}'s sessions, expires in ${ttl.index} s, but ${ttl.longest.label}'s session lives ${ttl.longest.ttl} s more: the index would go while the session still lives, and the device would drop off the list.`,
      "Set the index's expiry to at least a session's (the cookie's maxAge, in seconds) at every login, with `EXPIRE key seconds` (which sets it from now), so it outlives the newest session.",
    );
  }
  return `${key}: TTL ${ttl.index} s${ttl.longest ? `, the longest session ${ttl.longest.ttl} s` : ''}`;
}

/** Values a page must not show for `value`, a session id or a cookie: as it is, and as a handle made from it by encoding instead of hashing. */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  return [value, bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex'), [...value].reverse().join('')];
}

const checks: Check<VerifyContext>[] = [
  {
    id: 'step5.grace-login',
    title: 'grace logs in with her password, hopper',
    slide: slides.secondUser,
    needs: ['step4.login'],
    async run(ctx) {
      const { devices, pcAccount } = await graceDevices(ctx);
      const answer = devices.pc.login;
      if (answer.status >= 500) throw ctx.notOk(answer, `POST /login as ${GRACE.username}`);
      if (!isRedirect(answer)) {
        fail(
          `POST /login as ${GRACE.username} with her password answered ${answered(answer)}, expected a redirect (302 or 303).`,
          `Add her to your users, with a hash of her password made as ada's was: \`['${GRACE.username}', { name: '${GRACE.username}', passwordHash: await hashPassword('${GRACE.password}') }]\`.`,
        );
      }
      if (!shows(pcAccount, GRACE.username)) fail(`Once ${GRACE.username} is logged in, GET /account answered ${answered(pcAccount)}${pcAccount.status === 200 ? ' without her name' : ''}.`, 'Show the logged-in user\'s own name: `req.session.user.name`.');
      return `${GRACE.username} logged in (${answered(answer)}); /account shows her name.`;
    },
  },
  {
    id: 'step5.index',
    title: "Each login adds the session to an index of the user's sessions in Redis, one key per user",
    slide: slides.indexPerUser,
    needs: ['step4.login-user'],
    async run(ctx) {
      const { index, refused } = await loggedInDevices(ctx);
      const logins = Object.keys(ADA_DEVICES).length - refused.length;
      if (!index) {
        fail(
          `${logins} logins of ${USER.username}, on ${logins} devices, added no entry to any set, sorted set, hash or list in Redis: the app keeps no index of her sessions.`,
          indexHint,
        );
      }
      if (index.added < logins) {
        fail(`${logins} logins of ${USER.username}, on ${logins} devices, added ${index.added} ${index.added === 1 ? 'entry' : 'entries'} to ${index.key} (a ${index.type}), expected one per login.`, indexHint);
      }
      const grace = await graceDevices(ctx);
      if (isRedirect(grace.devices.pc.login) && !grace.index) {
        fail(
          `${GRACE.username}'s logins added entries to ${index.key}, the key of ${USER.username}'s sessions, and to no key of her own: every user's sessions are in one key.`,
          `Keep one key per user, named after the user (\`devices:${'${name}'}\`): listing a user's devices then reads theirs alone, and a handle can be looked up among theirs only.`,
        );
      }
      return `${index.key} (a ${index.type}) gained ${index.added} entries for ${logins} logins of ${USER.username}${grace.index ? `; ${GRACE.username}'s are in ${grace.index.key}` : ''}.`;
    },
  },
  {
    id: 'step5.index-ttl',
    title: "The index expires, and lives at least as long as the user's sessions",
    slide: slides.indexExpires,
    needs: ['step5.index'],
    async run(ctx) {
      const { index, ttl } = await adaDevices(ctx);
      if (!index || !ttl) throw new CannotCheck('No index was found.');
      const seen = [judgeTtl(USER.username, index.key, ttl)];
      const grace = await graceDevices(ctx).catch(() => undefined);
      if (grace?.index && grace.ttl) seen.push(judgeTtl(GRACE.username, grace.index.key, grace.ttl));
      return `${seen.join('; ')}.`;
    },
  },
  {
    id: 'step5.account-no-scan',
    title: 'GET /account sends no KEYS or SCAN to Redis',
    slide: slides.noKeysOrScan,
    needs: ['step4.account'],
    async run(ctx) {
      const { walks, watchError, devices } = await accountPage(ctx);
      if (watchError || !walks) throw new CannotCheck(`The checks could not watch Redis while the page was answered (${watchError}).`);
      if (walks.length) {
        fail(
          `While GET /account on ${devices.phone.label} was answered, the app sent ${walks.slice(0, 3).join('; ')}${walks.length > 3 ? ` and ${walks.length - 3} more` : ''}: it walks every key of Redis to find one user's sessions.`,
          "Read the user's own index instead (`HGETALL devices:<name>`, `SMEMBERS`, `ZRANGE`), then their records at once (`MGET`): KEYS blocks Redis while it walks every key of every user, and SCAN walks them all too, a slice at a time.",
        );
      }
      return 'No KEYS, no SCAN while the page was answered.';
    },
  },
  {
    id: 'step5.devices-listed',
    title: "GET /account lists each of the user's devices once, in an <li> or <tr> of its own, with its User-Agent",
    slide: slides.accountLists,
    needs: ['step4.account'],
    async run(ctx) {
      const { page, entries, devices, refused } = await accountPage(ctx);
      const names = PLAIN.filter((n) => !refused.includes(n));
      const text = page.body;
      for (const name of names) {
        const device = devices[name];
        const found = entriesShowing(entries, shown(device.userAgent));
        if (!found.length) {
          const onPage = text.includes(shown(device.userAgent));
          fail(
            onPage
              ? `GET /account on ${devices.phone.label} shows ${device.label}'s User-Agent, ${quoted(device.userAgent)}, but not in an <li> or <tr> of its own.`
              : `GET /account on ${devices.phone.label} does not show ${device.label}, logged in with the User-Agent ${quoted(device.userAgent)} (its first 60 characters at least).`,
            onPage
              ? 'Make each device an entry of a list: `ul` with one `li` per session (or a table with one `tr` per session).'
              : "Keep the User-Agent a session logged in with (`req.get('User-Agent')`) in its record at login, and show it in the device's entry: `li= device.userAgent`.",
          );
        }
        if (found.length > 1) {
          fail(`GET /account on ${devices.phone.label} lists ${device.label} (${quoted(device.userAgent)}) ${found.length} times, expected once.`, 'List each session once: one entry per entry of the index, and one entry in the index per login.');
        }
        const others = names.filter((n) => n !== name && found[0]!.text.includes(shown(devices[n].userAgent)));
        if (others.length) {
          fail(`${device.label} and ${devices[others[0]!].label} share one entry of the list on /account: ${found[0]!.text.slice(0, 200)}`, 'Give each session its own `li` (or `tr`).');
        }
      }
      return `Each of ${names.length} devices of ${USER.username}'s is listed once, with its User-Agent.`;
    },
  },
  {
    id: 'step5.device-times',
    title: 'Each device shows when it logged in and when it was last seen, as <time datetime> in ISO 8601',
    slide: slides.deviceAsText,
    needs: ['step5.devices-listed'],
    async run(ctx) {
      const { entries, devices, refused } = await accountPage(ctx);
      const hint = 'Keep when the session logged in and when it was last seen in its record, and show each as `time(datetime=date.toISOString())= date.toLocaleString()`.';
      for (const name of PLAIN.filter((n) => !refused.includes(n))) {
        const device = devices[name];
        const [entry] = entriesShowing(entries, shown(device.userAgent));
        if (!entry) continue;
        const times = entry.times.filter((t) => ISO_8601.test(t) && !Number.isNaN(Date.parse(t)));
        if (times.length < 2) {
          fail(
            `The entry of ${device.label} on /account has ${entry.times.length ? `<time datetime> ${entry.times.map((t) => `"${t}"`).join(', ')}, of which ${times.length} in ISO 8601` : 'no <time datetime>'}: expected two, when it logged in and when it was last seen.`,
            hint,
          );
        }
        const far = times.find((t) => Math.abs(Date.parse(t) - Date.now()) > 60 * 60 * 1000);
        if (far) fail(`The entry of ${device.label}, which logged in seconds ago, shows <time datetime="${far}">, more than an hour from now.`, `${hint} A date without a time zone is read as the server's local time: end it with \`Z\` (\`toISOString()\` does).`);
      }
      return 'Each device shows two <time datetime> in ISO 8601.';
    },
  },
  {
    id: 'step5.this-device',
    title: '"this device" marks the entry of the session that asks, and no other',
    slide: slides.accountLists,
    needs: ['step5.devices-listed'],
    async run(ctx) {
      const { entries, devices } = await accountPage(ctx);
      const mark = /\bthis device\b/i;
      const [own] = entriesShowing(entries, shown(devices.phone.userAgent));
      if (!own) throw new CannotCheck(`${devices.phone.label} is not in the list.`);
      if (!mark.test(own.ownText)) {
        fail(
          mark.test(own.text)
            ? `On ${devices.phone.label}, its own entry says "this device" only inside a form or button: ${own.text.slice(0, 160)}`
            : `On ${devices.phone.label}, its own entry does not say "this device": ${own.text.slice(0, 160)}`,
          "Compare each session with the request's own (`req.sessionID`, or its handle in `req.session`) and say it in the entry's text: `if device.handle === current` then `| (this device)`.",
        );
      }
      const other = entries.find((e) => e !== own && !e.html.includes(own.html) && !own.html.includes(e.html) && mark.test(e.ownText));
      if (other) fail(`On ${devices.phone.label}, another entry says "this device" too: ${other.text.slice(0, 160)}`, 'Mark the entry of this request only: the one whose session is `req.sessionID`.');
      return `“this device” marks ${devices.phone.label}'s entry only.`;
    },
  },
  {
    id: 'step5.revoke-forms',
    title: 'Each other device has a form that posts to /sessions/<handle>/revoke, and the page one that posts to /sessions/revoke-others',
    slide: slides.deviceAsText,
    needs: ['step5.devices-listed'],
    async run(ctx) {
      const { page, entries, devices, refused, handles } = await accountPage(ctx);
      const others = PLAIN.filter((n) => n !== 'phone' && !refused.includes(n));
      for (const name of others) {
        const [entry] = entriesShowing(entries, shown(devices[name].userAgent));
        if (entry && !entry.handle) {
          fail(`On ${devices.phone.label}, the entry of ${devices[name].label} has no form that posts to /sessions/<handle>/revoke.`, "In each other device's entry: `form(method='post' action=`/sessions/${device.handle}/revoke`)` with a button.");
        }
      }
      const seen = new Map<string, AdaDevice>();
      for (const name of others) {
        const handle = handles[name];
        if (handle && seen.has(handle)) fail(`${devices[name].label} and ${devices[seen.get(handle)!].label} have the same handle, ${handle}.`, 'Give each session a handle of its own: a random id made at login, or a hash of the session id.');
        if (handle) seen.set(handle, name);
      }
      if (!hasRevokeOthers(page.body)) fail('GET /account has no form that posts to /sessions/revoke-others.', "Add `form(method='post' action='/sessions/revoke-others')` with a button, \"Log out everywhere else\".");
      return `${others.length} revoke forms, each with a handle of its own, and a form to log out everywhere else.`;
    },
  },
  {
    id: 'step5.no-session-id',
    title: 'The account page shows no session id: a handle names each session',
    slide: slides.noSessionId,
    needs: ['step4.account'],
    async run(ctx) {
      const { page, secrets, devices } = await accountPage(ctx);
      const grace = await graceDevices(ctx).catch(() => undefined);
      const pages: { who: string; page: Page; secrets: { what: string; value: string }[] }[] = [{ who: devices.phone.label, page, secrets }];
      if (grace?.phoneAccount.status === 200) {
        const own = Object.values(grace.devices).flatMap((d) => (d.session ? [{ what: `${d.label}'s session id`, value: d.session.id }] : []));
        pages.push({ who: grace.devices.phone.label, page: grace.phoneAccount, secrets: [...secrets, ...own] });
      }
      for (const { who, page: p, secrets: all } of pages) {
        const body = p.body;
        const lower = body.toLowerCase();
        for (const { what, value } of all) {
          if (value.length < 8) continue;
          const shownAs = encodings(value).find((v, i) => (i === 3 ? lower.includes(v) : body.includes(v)));
          if (!shownAs) continue;
          fail(
            `GET /account on ${who} shows ${what}${shownAs === value ? '' : `, encoded (${shownAs.slice(0, 40)}…)`}: whoever reads the page can put it in a cookie and be logged in as that device.`,
            "Name each session by a handle that cannot be turned back into its id: a random id made at login and kept in the record (`crypto.randomBytes(16).toString('base64url')`), or a hash of the id (`createHash('sha256').update(id).digest('base64url')`).",
          );
        }
      }
      return `No session id, signed or not, on ${pages.map((p) => `${p.who}'s page`).join(' or ')}.`;
    },
  },
  {
    id: 'step5.ua-escaped',
    title: 'A User-Agent holding <script> is shown as text',
    slide: slides.deviceAsText,
    needs: ['step5.devices-listed'],
    async run(ctx) {
      const { page, entries, devices } = await accountPage(ctx);
      const device = devices.script;
      if (/<script>alert\(/i.test(page.body)) {
        fail(
          `GET /account shows ${device.label}'s User-Agent as markup: the page holds <script>alert(…)</script>, which the browser runs. Whoever logs in with such a User-Agent runs a script in the page of the user who lists their devices.`,
          'Show what a visitor sent as text: `li= device.userAgent` or `#{device.userAgent}` in pug, `<%= %>` in EJS, never `!=`, `!{}` or `<%- %>`.',
        );
      }
      if (!entriesShowing(entries, shown(device.userAgent)).length) throw new CannotCheck(`The list does not show ${device.label}'s User-Agent, ${quoted(device.userAgent)}, so how it shows it could not be judged.`);
      return `${device.label}'s User-Agent is shown as text, <script> escaped.`;
    },
  },
  {
    id: 'step5.revoke',
    title: "Revoking another device logs it out, deletes its record and its index entry, and redirects to /account",
    slide: slides.revokeDevice,
    needs: ['step5.revoke-forms', 'step5.index'],
    async run(ctx) {
      const { answer, stillLoggedIn, recordRemains, key, entryBefore, entryRemains, lost } = await revokeOther(ctx);
      const { devices } = await adaDevices(ctx);
      const what = `POST ${new URL(answer.url).pathname} on ${devices.phone.label}, the handle of ${devices.android.label},`;
      if (answer.status >= 500) throw ctx.notOk(answer, what);
      if (answer.status === 404) fail(`${what} answered 404: the app found no session of ${USER.username}'s by that handle.`, "Look the handle up in the user's index (`HGET devices:<name> <handle>`), where it was put at login.");
      if (stillLoggedIn) {
        fail(
          `${what} answered ${answered(answer)}, but ${devices.android.label} is still logged in${recordRemains ? `: its record, ${key}, is still in Redis` : ''}.`,
          "Destroy the session's record, as logout does: `req.sessionStore.destroy(sid)` (or `DEL sess:<sid>`). Removing its entry from the index hides the device from the list, and leaves it logged in.",
        );
      }
      if (recordRemains) fail(`${what} logged the device out, but its record, ${key}, is still in Redis.`, "Destroy it: `req.sessionStore.destroy(sid)` deletes the record.");
      if (entryRemains || (entryRemains === undefined && lost === 0)) {
        fail(`${what} destroyed the session, but its entry is still in the index${entryBefore ? ` (${entryBefore.text.replace('\n', ' → ').slice(0, 80)})` : ''}.`, 'Remove the entry too: `HDEL devices:<name> <handle>` (or `SREM`, `ZREM`), after destroying the record.');
      }
      if (!redirectsTo(answer, '/account')) fail(`${what} answered ${answered(answer)}, expected a redirect (302 or 303) to /account.`, "End with `res.redirect(303, '/account')`: the user sees the list without that device.");
      return `${answered(answer)}; ${devices.android.label} is logged out, ${key} and its index entry are gone.`;
    },
  },
  {
    id: 'step5.revoke-sticks',
    title: 'A revoked device stays logged out, even when a request it had under way saves its record again',
    slide: slides.inFlight,
    needs: ['step5.revoke'],
    async run(ctx) {
      const w = await writtenBack(ctx);
      if (w.loggedIn) {
        fail(
          `After the revoke, ${w.key} was written back as express-session does at the end of a request that was running then (a plain SET of the record), and ${w.device} is logged in again: GET /account shows ${USER.username}.`,
          "Let the index say who is logged in: on every request of a logged-in session, check that its handle is still in its user's index (`HEXISTS devices:<name> <handle>`), and give it a new, empty session when it is not (`req.session.regenerate(next)`).",
        );
      }
      return `${w.key} written back after the revoke, as a request in flight would: ${w.device} stays logged out${w.recordRemains ? '' : ', and the record is gone again'}.`;
    },
  },
  {
    id: 'step5.revoke-other-user',
    title: "Another user's handle answers 404 and logs nobody out",
    slide: slides.handleYours,
    needs: ['step5.revoke-forms', 'step5.grace-login'],
    async run(ctx) {
      const { answer, stillLoggedIn, recordRemains, indexChanged } = await foreignHandle(ctx);
      const { pc } = (await graceDevices(ctx)).devices;
      const what = `POST /sessions/<handle of ${pc.label}>/revoke by ${USER.username}`;
      const hint = "Look the handle up in the logged-in user's own index only (`HGET devices:${req.session.user.name} <handle>`): a handle found anywhere else is not theirs to revoke. Answer 404 when it is not there.";
      if (answer.status >= 500) throw ctx.notOk(answer, what);
      if (!stillLoggedIn || !recordRemains) fail(`${what} answered ${answered(answer)} and logged ${pc.label} out: any user can log anyone out.`, hint);
      if (answer.status !== 404) fail(`${what} answered ${answered(answer)}, expected 404.`, hint);
      if (indexChanged.length) fail(`${what} answered 404, but changed ${GRACE.username}'s index: ${indexChanged.slice(0, 2).join('; ')}.`, hint);
      return `404; ${pc.label} is still logged in.`;
    },
  },
  {
    id: 'step5.revoke-unknown',
    title: 'A handle that names no session answers 404',
    slide: slides.handleYours,
    needs: ['step5.revoke-forms'],
    async run(ctx) {
      const { handle, answer, indexChanged, phoneLoggedIn } = await unknownHandle(ctx);
      const what = `POST /sessions/${handle}/revoke (a handle that names no session)`;
      if (answer.status >= 500) throw ctx.notOk(answer, what);
      if (answer.status !== 404) fail(`${what} answered ${answered(answer)}, expected 404.`, 'When the handle is not in the user\'s index, answer `res.status(404)` and change nothing.');
      if (indexChanged.length) fail(`${what} answered 404 but changed the index: ${indexChanged.slice(0, 2).join('; ')}.`, 'Change nothing when the handle is not found.');
      if (!phoneLoggedIn) fail(`After ${what}, the device that sent it is logged out.`, 'Change nothing when the handle is not found.');
      return '404, and nothing changed.';
    },
  },
  {
    id: 'step5.revoke-self',
    title: "Revoking this device's own handle logs it out",
    slide: slides.handleYours,
    needs: ['step5.revoke-forms'],
    async run(ctx) {
      const { answer, stillLoggedIn, recordRemains } = await revokeSelf(ctx);
      const { devices } = await graceDevices(ctx);
      const what = `POST /sessions/<its own handle>/revoke on ${devices.tablet.label}`;
      if (answer.status >= 500) throw ctx.notOk(answer, what);
      const hint = "When the handle is this request's own session, log out as POST /logout does: `req.session.destroy(…)`, clear the cookie, and redirect.";
      if (answer.status >= 400) fail(`${what} answered ${answered(answer)}, expected it to log the device out.`, hint);
      if (stillLoggedIn) fail(`${what} answered ${answered(answer)}, and the device is still logged in.`, hint);
      if (recordRemains) fail(`${what} logged the device out, but its record is still in Redis.`, hint);
      return `${answered(answer)}; ${devices.tablet.label} is logged out.`;
    },
  },
  {
    id: 'step5.revoke-others',
    title: '"Log out everywhere else" logs out every other session of the user, and only those',
    slide: slides.everywhereElse,
    needs: ['step5.revoke-forms'],
    async run(ctx) {
      const o = await revokeOthers(ctx);
      const { devices } = await adaDevices(ctx);
      const what = `POST /sessions/revoke-others on ${devices.phone.label}`;
      if (o.answer.status >= 500) throw ctx.notOk(o.answer, what);
      const hint = "Destroy every session in the user's index but this request's (`req.sessionID`), and remove their entries: `HGETALL`, then `store.destroy(sid)` for each other one, and `HDEL` their handles.";
      if (!o.phoneLoggedIn) fail(`${what} answered ${answered(o.answer)}, and logged that device out too: "everywhere else" keeps this one.`, hint);
      if (o.laptopLoggedIn) fail(`${what} answered ${answered(o.answer)}, but ${devices.laptop.label} is still logged in.`, hint);
      if (o.graceLoggedIn === false) fail(`${what} logged out ${GRACE_DEVICES.phone.label} too: only ${USER.username}'s own sessions may go.`, hint);
      if (o.listed.length !== 1) fail(`After ${what}, /account lists ${o.listed.join(', ') || 'none of her devices'}, expected ${devices.phone.label} alone.`, hint);
      if (o.entries && o.entries.length !== 1) fail(`After ${what}, and a read of /account, the index holds ${o.entries.length} entries, expected 1 (this device).`, hint);
      return `${answered(o.answer)}; only ${devices.phone.label} is logged in, and the index holds its entry alone.`;
    },
  },
  {
    id: 'step5.logout-index',
    title: 'POST /logout removes the session from the index',
    slide: slides.logoutIndex,
    needs: ['step5.index', 'step4.logout'],
    async run(ctx) {
      const { answer, entryBefore, entryRemains, lost } = await logoutDevice(ctx);
      const { devices, index } = await graceDevices(ctx);
      if (entryRemains || (entryRemains === undefined && lost === 0)) {
        fail(
          `After POST /logout on ${devices.laptop.label} (${answered(answer)}), its entry is still in ${index?.key ?? 'the index'}${entryBefore ? ` (${entryBefore.text.replace('\n', ' → ').slice(0, 80)})` : ''}.`,
          "Before destroying the session at logout, remove its entry from the user's index: `HDEL devices:<name> <handle>` (or `SREM`, `ZREM`).",
        );
      }
      return `${devices.laptop.label}'s entry left ${index?.key ?? 'the index'} at logout.`;
    },
  },
  {
    id: 'step5.ended-dropped',
    title: 'A session that ended without the app is not listed, and its entry is dropped when the list is read',
    slide: slides.endedSessions,
    needs: ['step5.index', 'step5.devices-listed'],
    async run(ctx) {
      const { page, ended, lost, gone } = await endedSessions(ctx);
      if (!gone) throw new CannotCheck('The records deleted for this check were still in Redis a moment later.');
      if (page.status !== 200) throw ctx.notOk(page, 'GET /account');
      const hint =
        "When listing, read every record of the index at once (`MGET`), skip the ones that came back null (the session expired or was deleted), and remove their entries: `HDEL devices:<name> …`.";
      const listed = ended.find((e) => e.listed);
      if (listed) fail(`The record of ${listed.label} ${listed.how.split(' ')[0]} in Redis, and GET /account still lists it.`, hint);
      const kept = ended.find((e) => e.entryRemains);
      if (kept) fail(`The record of ${kept.label} ${kept.how.split(' ')[0]} in Redis; after GET /account its entry is still in the index.`, hint);
      if (ended.every((e) => e.entryRemains === undefined) && lost < ended.length) {
        fail(`${ended.length} sessions ended in Redis; after GET /account the index lost ${lost} ${lost === 1 ? 'entry' : 'entries'}.`, hint);
      }
      return `${ended.map((e) => `${e.label} ${e.how.split(' ')[0]}`).join(', ')}: neither is listed, and their entries are gone.`;
    },
  },
  {
    id: 'step5.cross-site',
    title: "Step 5's POSTs from another site answer 403 and change nothing",
    slide: slides.otherSites,
    needs: ['step5.revoke-forms'],
    async run(ctx) {
      const { revoke, others, revokePath } = await crossSitePosts(ctx);
      return `${judgeCrossSite(revokePath, revoke)} ${judgeCrossSite('/sessions/revoke-others', others)}`;
    },
  },
];

export default {
  checks,
  // ada's devices log in before step 4's login of hers; the rest follows (step5-probes.ts).
  prepare: startDevices,
} satisfies StepChecks;
