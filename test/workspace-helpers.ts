// Shared by the workspace, solution, backup, diff and list tests: temporary
// workspace and state folders, a byte-for-byte picture of a folder, and the
// real CLI run as a child process.
import { mkdtemp, mkdir, readdir, readFile, lstat, readlink, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './helpers/repo.ts';

export interface Sandbox {
  root: string;
  workspace: string;
  state: string;
  places: { workspace: string; state: string };
  cleanup(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'workshop-ws-'));
  const workspace = join(root, 'workspace');
  const state = join(root, '.workshop');
  return { root, workspace, state, places: { workspace, state }, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Every file under `dir`, ignored ones included, as path → base64 (symlinks as `-> target`). */
export async function picture(dir: string, skip: (path: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (skip(path)) continue;
      const stat = await lstat(join(dir, path));
      if (stat.isDirectory()) await walk(path);
      else if (stat.isSymbolicLink()) out[path] = `-> ${await readlink(join(dir, path))}`;
      else out[path] = (await readFile(join(dir, path))).toString('base64');
    }
  }
  await walk('');
  return out;
}

export const isNodeModules = (path: string) => path.split('/').includes('node_modules');

export async function write(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/**
 * A workspace a learner has worked in: step 1's solution with edits, a new
 * file, a binary file, installed packages, a secret and a .gitignored log.
 */
export async function learnerWorkspace(workspace: string): Promise<void> {
  await cp(join(repoRoot, 'steps', 'step1'), workspace, { recursive: true });
  const app = await readFile(join(workspace, 'app.js'), 'utf8');
  await write(workspace, {
    'app.js': `${app}\n// my own line, keep it\n`,
    'notes/todo.md': 'ask about SameSite\n',
    'public/logo.bin': Buffer.from([0, 1, 2, 255, 0, 10, 13]),
    'node_modules/left-pad/index.js': 'module.exports = 1;\n',
    '.env': 'SESSION_SECRET=only-copy-here\n',
    '.gitignore': '*.log\n',
    'debug.log': 'a log line\n',
  });
}

/** The CLI, for real, with the workspace and state pointed at the sandbox; never a TTY on stdin. */
export function cli(box: Sandbox, args: string[], env: Record<string, string | undefined> = {}) {
  return execa('node', ['runner/launch.js', ...args], {
    cwd: repoRoot,
    reject: false,
    stdin: 'ignore',
    env: {
      WORKSHOP_WORKSPACE: box.workspace,
      WORKSHOP_STATE: box.state,
      NO_COLOR: '1',
      FORCE_COLOR: undefined,
      WORKSHOP_CRASH_AT: undefined,
      npm_config_yes: undefined,
      ...env,
    },
    timeout: 20_000,
  });
}

/** Names left beside the workspace by a switch (`workspace.new-…`, `.old-…`, `.lock`). */
export async function siblings(box: Sandbox): Promise<string[]> {
  return (await readdir(box.root)).filter((n) => n.startsWith('workspace.'));
}

export async function backupNames(box: Sandbox): Promise<string[]> {
  try {
    return (await readdir(join(box.state, 'backups'))).sort();
  } catch {
    return [];
  }
}
