// Preloaded (NODE_OPTIONS --require) by a test into the process it starts:
// appends the command line of every child that process spawns, one JSON
// array a line, to the file in WORKSHOP_TEST_SPAWN_COMMANDS. Written at the
// spawn itself, so a child stopped a moment later is still seen: what the
// process table, searched afterwards, can no longer show.
'use strict';
const { subscribe } = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');

const log = process.env.WORKSHOP_TEST_SPAWN_COMMANDS;

if (log) {
  subscribe('child_process', ({ process: child }) => {
    child.once('spawn', () => appendFileSync(log, `${JSON.stringify(child.spawnargs)}\n`));
  });
}
