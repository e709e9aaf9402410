// Preloaded (NODE_OPTIONS --require, set by test/global-setup.ts) into every
// Node process the test suite starts. It writes down each child process at
// the moment it is spawned: its pid, its start time (so a reused pid is never
// taken for it) and the test markers its spawner carried. The suite's
// leftover check reads this log, because a process table search by
// environment cannot find redis-server: it overwrites its environment when
// it sets its process title.
'use strict';
const { subscribe } = require('node:diagnostics_channel');
const { appendFileSync, readFileSync } = require('node:fs');

const log = process.env.WORKSHOP_TEST_SPAWNS;

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined; // no /proc (macOS), or already gone
  }
}

if (log) {
  // The test markers of this process: the run's (global-setup.ts) and a fault case's (faults/helpers.ts newMarker).
  const markers = () =>
    Object.entries(process.env)
      .filter(([name]) => name === 'WORKSHOP_TEST_RUN' || name.startsWith('WORKSHOP_FAULT'))
      .map(([name, value]) => `${name}=${value}`);
  subscribe('child_process', ({ process: child }) => {
    child.once('spawn', () => {
      const start = startTime(child.pid);
      if (start === undefined) return;
      // One short line per write: appends this small are atomic, so processes never interleave.
      appendFileSync(log, `${child.pid} ${start} ${markers().join(' ')}\n`);
    });
  });
}
