// The last line of defence: a tiny shell that outlives us. It is told, over
// a pipe, the process group and tag of every child we start and stop; when
// the pipe closes (we exited, were SIGKILLed, crashed) it kills each group
// still listed, then every process whose environment carries one of the
// tags (a helper that left its group). GNU grep on /proc: a no-op elsewhere.
import { spawn, type ChildProcess } from 'node:child_process';

/** In each child's environment, inherited by what it starts: NAME=<tag of that child>. */
export const TAG = 'WORKSHOP_PROCESS_TAG';

const script = `
trap '' INT TERM HUP
entries=""
while read -r op id tag; do
  case "$op" in
    add) entries="$entries $id:$tag" ;;
    del) kept=""; for e in $entries; do [ "\${e%%:*}" = "$id" ] || kept="$kept $e"; done; entries=$kept ;;
  esac
done
[ -n "$entries" ] || exit 0
set --
for e in $entries; do
  kill -s KILL -- "-\${e%%:*}" 2>/dev/null
  set -- "$@" -e "${TAG}=\${e#*:}"
done
for f in $(grep -lzxF "$@" /proc/[0-9]*/environ 2>/dev/null); do
  p=\${f#/proc/}; kill -s KILL "\${p%/environ}" 2>/dev/null
done
`;

let watchdog: ChildProcess | undefined;

function tell(line: string): void {
  if (!watchdog) {
    // Without our own tag: if whoever started us sweeps up after our death, the watchdog must still finish.
    const env = { ...process.env };
    delete env[TAG];
    watchdog = spawn('sh', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    watchdog.on('error', () => {}); // without sh we still have the exit handler
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
    watchdog.stdin?.on('error', () => {});
  }
  watchdog.stdin?.write(line + '\n');
}

/** The watchdog kills group `pgid` and whatever carries `tag` if we die first. */
export function guard(pgid: number, tag: string): void {
  tell(`add ${pgid} ${tag}`);
}

/** Group `pgid` is gone: nothing to do for it any more. */
export function release(pgid: number): void {
  tell(`del ${pgid}`);
}
