#!/usr/bin/env node
import { run } from './program.js';

void run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
  // A receiver module loaded by `journal replay` may hold connections open (its database pool): do not wait for them.
  setTimeout(() => process.exit(code), 1_000).unref();
});
