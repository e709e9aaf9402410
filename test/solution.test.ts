// `npm run solution` and `npm run workshop -- restore`, run for real.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/repo.ts';
import { steps } from '../runner/steps.ts';
import { backupNames, cli, isNodeModules, learnerWorkspace, picture, sandbox, siblings, type Sandbox } from './workspace-helpers.ts';

let box: Sandbox;
let before: Record<string, string>;
beforeEach(async () => {
  box = await sandbox();
  await learnerWorkspace(box.workspace);
  before = await picture(box.workspace);
});
afterEach(() => box.cleanup());

const editsOnly = () => Object.fromEntries(Object.entries(before).filter(([p]) => !isNodeModules(p)));

async function unchanged(): Promise<void> {
  expect(await picture(box.workspace)).toEqual(before);
  expect(await siblings(box)).toEqual([]);
}

describe('npm run solution', () => {
  it.each([['step9'], ['nope'], []])('exits 2 for an unknown or missing step %s, listing the steps', async (...name) => {
    const r = await cli(box, ['solution', ...name, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('step1, step2, step3, step4, step5');
    expect(r.stderr.split('\n')).toHaveLength(1);
    await unchanged();
  });

  it('with --yes, backs up the workspace, prints where, and switches', async () => {
    const r = await cli(box, ['solution', '2', '--yes']);
    expect(r.exitCode).toBe(0);
    const [name] = await backupNames(box);
    const path = join(box.state, 'backups', name!);
    expect(r.stdout).toContain(`Backed up ${box.workspace}/ to ${path}`);
    expect(r.stdout).toContain(`npm run workshop -- restore ${name}`);
    expect(await picture(path)).toEqual(editsOnly());
    const now = await picture(box.workspace, isNodeModules);
    expect(now['app.js']).toEqual((await picture(steps()[1]!.dir))['app.js']);
    expect(now['.env']).toEqual(before['.env']);
  });

  it('without --yes and without a terminal, refuses, says to add --yes and changes nothing', async () => {
    const r = await cli(box, ['solution', 'step2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('there is no terminal to ask on');
    expect(r.stderr).toContain('npm run solution step2 -- --yes');
    await unchanged();
    expect(await backupNames(box)).toEqual([]);
  });

  it('takes the --yes npm keeps for itself when given without --', async () => {
    const r = await cli(box, ['solution', 'step2'], { npm_config_yes: 'true' });
    expect(r.exitCode).toBe(0);
    expect(await backupNames(box)).toHaveLength(2); // the backup and its .json
  });

  it('asks on a terminal, and a no changes nothing', async () => {
    const command = `node runner/launch.js solution step3`;
    const env: NodeJS.ProcessEnv = { ...process.env, WORKSHOP_WORKSPACE: box.workspace, WORKSHOP_STATE: box.state, NO_COLOR: '1' };
    delete env.npm_config_yes;
    delete env.WORKSHOP_CRASH_AT;
    // `script` gives the CLI a real terminal; the answer is typed into it.
    const no = await execa('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env, input: 'n\n', reject: false, timeout: 20_000 });
    expect(no.stdout).toContain("Replace ");
    expect(no.stdout).toContain("with step3's solution (your files are backed up first)? [y/N]");
    expect(no.stdout).toContain('Nothing changed.');
    await unchanged();
    const yes = await execa('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env, input: 'y\n', reject: false, timeout: 20_000 });
    expect(yes.stdout).toContain("is now step3's solution");
    expect(yes.exitCode).toBe(0);
  });

  it('with .workshop/backups a file, says so in one sentence and changes nothing', async () => {
    await mkdir(box.state, { recursive: true });
    await writeFile(join(box.state, 'backups'), 'in the way');
    const r = await cli(box, ['solution', 'step2', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${join(box.state, 'backups')} is a file, not a folder. Nothing was changed`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    await unchanged();
  });

  it('with the state folder under a file, says so and changes nothing', async () => {
    await writeFile(join(box.root, 'plain-file'), '');
    const r = await cli({ ...box, state: join(box.root, 'plain-file', '.workshop') }, ['solution', 'step2', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${join(box.root, 'plain-file')} is a file, not a folder. Nothing was changed`);
    await unchanged();
  });

  it('waits its turn: a switch in progress elsewhere is named, and nothing changes', async () => {
    // A lock held by a live process (this test's) other than the CLI.
    await writeFile(`${box.workspace}.lock`, String(process.pid));
    const r = await cli(box, ['solution', 'step2', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`Another workshop command (process ${process.pid}) is changing`);
    expect(await picture(box.workspace)).toEqual(before);
    expect(await backupNames(box)).toEqual([]);
  });
});

describe('npm run workshop -- restore', () => {
  it('lists the backups, then restores one byte for byte after backing up the current workspace', async () => {
    const empty = await cli(box, ['restore']);
    expect(empty.stdout).toContain('No backups yet');

    await cli(box, ['solution', 'step3', '--yes']);
    const [name] = await backupNames(box);
    await writeFile(join(box.workspace, 'app.js'), '// my step 3 attempt\n');

    const listed = await cli(box, ['restore']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain(name);
    expect(listed.stdout).toContain('before switching to step3');

    const r = await cli(box, ['restore', name!]);
    expect(r.exitCode).toBe(0);
    expect(await picture(box.workspace)).toEqual(before);
    const second = (await backupNames(box)).find((n) => n.endsWith('-restore'));
    expect((await picture(join(box.state, 'backups', second!)))['app.js']).toBe(Buffer.from('// my step 3 attempt\n').toString('base64'));
  });

  it('exits 2 for an unknown backup, saying how to list them', async () => {
    const r = await cli(box, ['restore', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('There is no backup "nope"; `npm run workshop -- restore` lists them.');
    await unchanged();
  });
});
