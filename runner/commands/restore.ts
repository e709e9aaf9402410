// `npm run workshop -- restore [backup]`: lists the backups, or puts one back
// into workspace/ (backing up the current workspace first).
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { display, listBackups, places, restoreBackup, WorkspaceError } from '../workspace.ts';
import { report } from './solution.ts';

const usage = 'Usage: npm run workshop -- restore [backup]';

async function list(): Promise<number> {
  const backups = await listBackups();
  if (backups.length === 0) {
    console.log('No backups yet: one is made each time `npm run solution` replaces your workspace.');
    return 0;
  }
  console.log(`Backups in ${display(`${places().state}/backups`)}, newest first:`);
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
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args, allowPositionals: true, options: {} }));
  } catch (err) {
    console.error(`${(err as Error).message.split('. ')[0]}.\n${usage}`);
    return 2;
  }
  if (positionals.length > 1) {
    console.error(`Name one backup only.\n${usage}`);
    return 2;
  }
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
