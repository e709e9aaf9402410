// Which file changes mean "the app changed": one rule for the runner's app
// restarts and for `verify --watch`. Editors' temporary files, dependencies
// and version control never do.
import { basename, relative, sep } from 'node:path';

// vim (.swp … .swx, 4913, ~), emacs (.#x, #x#), JetBrains, Chrome's
// save-in-place (.crswap), macOS, and generic temporary and backup files.
const editorNoise = /\.sw[a-p]x?$|\.swx$|~$|^4913$|^\.#|^#.*#$|___jb_(?:tmp|old)___$|^\.DS_Store$|\.(?:tmp|bak|crswap)$/;

/** True for a change under `root` that should not restart or re-verify the app. */
export function isIgnoredChange(path: string, root: string): boolean {
  if (relative(root, path).split(sep).some((part) => part === 'node_modules' || part === '.git')) return true;
  return editorNoise.test(basename(path));
}
