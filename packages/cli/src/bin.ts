#!/usr/bin/env node
import { describeUncaught } from './uncaught.js';
import { run } from './program.js';

// A module loaded with --receiver runs in this process: what it starts (a server) may fail after it loaded.
process.on('uncaughtException', (error) => {
  process.stderr.write(`${describeUncaught(error)}\n`);
  process.exit(1);
});

void run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
  // A receiver module loaded by `journal replay` may hold connections open (its database pool): do not wait for them.
  setTimeout(() => process.exit(code), 1_000).unref();
});
