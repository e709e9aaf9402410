import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupLabel, backupName, cleanPartialBackups, listBackups, pickBackup, writeBackup, type Backup } from '../runner/workspace/backups.ts';
import { backupNames, isNodeModules, learnerWorkspace, picture, sandbox, type Sandbox } from './workspace-helpers.ts';

describe('backupName', () => {
  const at = new Date(2026, 10, 25, 14, 3, 9);

  it('is the local time and the label, safe in any file system', () => {
    expect(backupName(at, 'step3', new Set())).toBe('2026-11-25T14-03-09-step3');
    expect(backupName(at, 'a b/c', new Set())).toBe('2026-11-25T14-03-09-a-b-c');
  });

  it('never reuses a name taken in the same second', () => {
    const taken = new Set(['2026-11-25T14-03-09-step3', '2026-11-25T14-03-09-step3-2']);
    expect(backupName(at, 'step3', taken)).toBe('2026-11-25T14-03-09-step3-3');
  });
});

describe('backupLabel', () => {
  // The name reads like step 3's solution; the label says these are the learner's files.
  it('says whose files a backup holds and what came next', () => {
    expect(backupLabel('before switching to step3')).toBe("Your files, before switching to step 3's solution");
    expect(backupLabel('before resetting step2')).toBe('Your files, before resetting step 2');
    expect(backupLabel('before restoring 2026-11-25T14-03-09-step3')).toBe('Your files, before restoring the backup of 2026-11-25 14:03');
    expect(backupLabel('')).toBe('Your files');
  });
});

describe('pickBackup', () => {
  const b = (name: string): Backup => ({ name, path: name, createdAt: '', reason: '', label: '', leftOut: [] });
  const all = [b('2026-11-25T14-03-09-step3'), b('2026-11-25T15-00-00-step2')];

  it('finds by exact name or a prefix only one backup has', () => {
    expect(pickBackup(all, '2026-11-25T15')).toBe(all[1]);
    expect(pickBackup(all, '2026-11-25T14-03-09-step3')).toBe(all[0]);
  });

  it('tells an ambiguous prefix from an unknown name', () => {
    expect(pickBackup(all, '2026-11-25')).toBe('ambiguous');
    expect(pickBackup(all, 'nope')).toBeUndefined();
  });
});

describe('writeBackup', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
    await learnerWorkspace(box.workspace);
  });
  afterEach(() => box.cleanup());

  it('copies every file byte for byte, .env and ignored files included, but not node_modules, which it names', async () => {
    const backup = await writeBackup(box.workspace, box.state, 'step2', 'before switching to step2');
    expect(await picture(backup.path)).toEqual(await picture(box.workspace, isNodeModules));
    expect(await picture(backup.path)).toHaveProperty(['.env']);
    expect(backup.leftOut).toEqual(['node_modules']);
    const [listed] = await listBackups(box.state);
    expect(listed).toEqual(backup);
  });

  it('lists backups newest first, and never a half-written one', async () => {
    const first = await writeBackup(box.workspace, box.state, 'step1', 'first');
    await new Promise((r) => setTimeout(r, 5));
    const second = await writeBackup(box.workspace, box.state, 'step1', 'second');
    // What a backup killed half way leaves behind: a .partial- folder of a dead process.
    await mkdir(join(box.state, 'backups', '.partial-2026-01-01T00-00-00-step9-999999999'), { recursive: true });
    expect((await listBackups(box.state)).map((b) => b.name)).toEqual([second.name, first.name]);
    await cleanPartialBackups(box.state);
    expect(await backupNames(box)).toEqual([first.name, `${first.name}.json`, second.name, `${second.name}.json`].sort());
  });

  it('fails, copying nothing, when the backups folder is a file', async () => {
    await mkdir(box.state, { recursive: true });
    await writeFile(join(box.state, 'backups'), 'not a folder');
    await expect(writeBackup(box.workspace, box.state, 'step2', 'x')).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
