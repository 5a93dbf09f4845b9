import { runDemo } from './run-demo.js';

process.exitCode = (await runDemo()) === 0 ? 0 : 1;
