// The slides' shell commands, rewritten for the runner (runner/server/public/commands.js):
// the deck's own transcripts, as a learner would copy them from this runner.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandText, factsOfState, isMarked, newestSession, rewriteCommand, shortCli, type RunnerFacts } from '../runner/server/public/commands.js';
import { repoRoot } from './helpers/repo.ts';

const here: RunnerFacts = { appUrl: 'http://127.0.0.1:41234', redisCli: 'redis-cli -p 6420', sessionKey: 'sess:NOWnowNOWnowNOWnowNOWnowNOWnow1' };
const rewritten = (command: string, facts: RunnerFacts = here) => commandText(rewriteCommand(command, facts));

/** Every command of every transcript of the decks, without its prompt. */
const transcriptCommands = readdirSync(join(repoRoot, 'slides', 'term')).flatMap((file) =>
  readFileSync(join(repoRoot, 'slides', 'term', file), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('$ '))
    .map((l) => ({ file, command: l.slice(2) })),
);

describe('rewriteCommand', () => {
  it("points curl at the runner's app, headers included, and says which port changed", () => {
    const command = `curl -s -o /dev/null -w '%{http_code}\\n' -H 'Origin: http://127.0.0.1:3000' -d 'username=ada&password=lovelace' http://127.0.0.1:3000/login`;
    expect(rewritten(command)).toBe(command.replaceAll('127.0.0.1:3000', '127.0.0.1:41234'));
    const marks = rewriteCommand(command, here).filter(isMarked);
    expect(marks.map((p) => [p.was, p.text, p.why])).toEqual([
      ['127.0.0.1:3000', '127.0.0.1:41234', 'port 3000 → 41234'],
      ['127.0.0.1:3000', '127.0.0.1:41234', 'port 3000 → 41234'],
    ]);
  });

  it('reaches the runner\'s Redis with its own redis-cli, wherever a command starts, but never inside an argument', () => {
    expect(rewritten(`redis-cli --scan --pattern 'sess:*'`)).toBe(`redis-cli -p 6420 --scan --pattern 'sess:*'`);
    expect(rewritten('redis-cli MONITOR | cut -c 19-90')).toBe('redis-cli -p 6420 MONITOR | cut -c 19-90');
    expect(rewritten('redis-cli ping && redis-cli TTL x')).toBe('redis-cli -p 6420 ping && redis-cli -p 6420 TTL x');
    expect(rewritten(`echo 'redis-cli is a tool'`)).toBe(`echo 'redis-cli is a tool'`);
    // One that already says where Redis is stays as written.
    expect(rewritten('redis-cli -p 6379 ping')).toBe('redis-cli -p 6379 ping');
    // The default Redis needs nothing.
    expect(rewritten('redis-cli ping', { redisCli: 'redis-cli' })).toBe('redis-cli ping');
    const url = rewriteCommand('redis-cli ping', { redisCli: 'redis-cli -u rediss://:****@cache.example:6380' });
    expect(commandText(url)).toBe('redis-cli -u rediss://:****@cache.example:6380 ping');
    expect(url[0]!.why).toMatch(/password is hidden/);
  });

  it("names a session that is in the runner's Redis now, or keeps the recording's and says why", () => {
    const command = 'redis-cli GET sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6';
    expect(rewritten(command)).toBe('redis-cli -p 6420 GET sess:NOWnowNOWnowNOWnowNOWnowNOWnow1');
    // A learner's own prefix, with a character the shell would split at, is quoted.
    expect(rewritten(command, { sessionKey: 'my app:abc' })).toBe(`redis-cli GET 'my app:abc'`);
    const none = rewriteCommand(command, { redisCli: 'redis-cli -p 6420' });
    expect(commandText(none)).toBe('redis-cli -p 6420 GET sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6');
    expect(none.at(-1)).toMatchObject({ text: 'sess:6csEnP7-h6er7ZyMYujfAK0N5Lb1Ghd6', kept: true });
    expect(none.at(-1)!.why).toMatch(/no session in your Redis yet/);
    // A pattern is not a session.
    expect(rewriteCommand(`redis-cli --scan --pattern 'sess:*'`, {}).filter(isMarked)).toEqual([]);
  });

  it('leaves a command with nothing of the runner in it as it is, in one part', () => {
    expect(rewriteCommand('npm run verify step3', here)).toEqual([{ text: 'npm run verify step3' }]);
    expect(rewriteCommand('', here)).toEqual([{ text: '' }]);
    // The second app of the rate-limit slide is the learner's to start, on 3001: not the runner's.
    expect(rewritten('curl -si http://127.0.0.1:3001/login')).toBe('curl -si http://127.0.0.1:3001/login');
  });

  it("rewrites every transcript of the decks to the runner's port and Redis, and nothing else", () => {
    expect(transcriptCommands.length).toBeGreaterThan(40);
    for (const { file, command } of transcriptCommands) {
      const out = rewritten(command);
      expect(out, file).not.toMatch(/127\.0\.0\.1:3000|^redis-cli (?!-p 6420)|sess:(?!NOW)[\w-]{16,}/);
      // Undo the three rewrites: the rest is the slide's, character for character.
      const undone = rewriteCommand(command, here).map((p) => p.was ?? p.text).join('');
      expect(undone, file).toBe(command);
    }
  });
});

describe('the facts the page gets', () => {
  it("takes the learner's app (not the solution) and Redis's redis-cli from the state", () => {
    const state = {
      apps: [
        { id: 'solution', url: 'http://127.0.0.1:41235' },
        { id: 'workspace', url: 'http://127.0.0.1:41234' },
      ],
      redis: { state: 'ready', cli: 'redis-cli -p 6420' },
    };
    expect(factsOfState(state)).toEqual({ appUrl: 'http://127.0.0.1:41234', redisCli: 'redis-cli -p 6420' });
    expect(factsOfState({ apps: [], redis: {} })).toEqual({ appUrl: undefined, redisCli: undefined });
  });

  it('says -p PORT for a plain local Redis URL, and keeps -u for one that needs it', () => {
    expect(shortCli('redis-cli -u redis://127.0.0.1:6420')).toBe('redis-cli -p 6420');
    expect(shortCli('redis-cli -u redis://localhost:6379/0')).toBe('redis-cli');
    expect(shortCli('redis-cli -u redis://localhost')).toBe('redis-cli');
    for (const cli of ['redis-cli -u redis://:****@127.0.0.1:6420', 'redis-cli -u rediss://127.0.0.1:6420', 'redis-cli -u redis://127.0.0.1:6420/2', 'redis-cli -u redis://cache:6379', 'redis-cli -p 6420']) {
      expect(shortCli(cli)).toBe(cli);
    }
    expect(shortCli(undefined)).toBeUndefined();
  });

  it('picks the session touched last: the highest TTL', () => {
    expect(newestSession([{ key: 'sess:a', ttl: 100 }, { key: 'sess:b', ttl: 86399 }, { key: 'sess:c', ttl: -1 }])).toBe('sess:b');
    expect(newestSession([{ key: 'sess:c', ttl: -1 }])).toBe('sess:c');
    expect(newestSession([])).toBeUndefined();
    expect(newestSession(undefined)).toBeUndefined();
  });
});
