// `npm run workshop -- restore [backup]`: lists the backups, or puts one back
// into workspace/ (backing up the current workspace first).
import pc from 'picocolors';
import { display, listBackups, places, restoreBackup, WorkspaceError } from '../workspace/index.ts';
import { backupsDir } from '../workspace/backups.ts';
import { parseCommandArgs, UsageError } from './args.ts';
import { report } from './solution.ts';

const usage = 'Usage: npm run workshop -- restore [backup]';

async function list(): Promise<number> {
  const backups = await listBackups();
  if (backups.length === 0) {
    console.log('No backups yet: one is made each time `npm run solution` replaces your workspace.');
    return 0;
  }
  console.log(`Backups in ${display(backupsDir(places().state))}, newest first:`);
  const width = Math.max(...backups.map((b) => b.name.length));
  for (const b of backups) {
    const when = new Date(b.createdAt).toLocaleString();
    const files = b.files === undefined ? '' : `, ${b.files} files`;
    console.log(`  ${pc.bold(b.name.padEnd(width))}  ${pc.dim(`${when}${b.reason ? `, ${b.reason}` : ''}${files}`)}`);
  }
  console.log(`Restore one with: npm run workshop -- restore <name>`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, usage);
  if (positionals.length > 1) throw new UsageError(`Name one backup only.\n${usage}`);
  const [name] = positionals;
  try {
    if (!name) return await list();
    const result = await restoreBackup(name);
    report(result, `the backup ${result.to}`);
    return 0;
  } catch (err) {
    if (!(err instanceof WorkspaceError)) throw err;
    console.error(pc.red(err.message));
    return err.code === 'unknown-backup' ? 2 : 1;
  }
}
