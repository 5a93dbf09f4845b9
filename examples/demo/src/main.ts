import { runDemo } from './run-demo.js';
import { painter } from './paint.js';

// `pnpm demo --inspect` keeps the apps running afterwards, with the journal inspector on a printed URL.
const inspect = process.argv.includes('--inspect');
process.exitCode = (await runDemo(console.log, painter(), { inspect })) === 0 ? 0 : 1;
