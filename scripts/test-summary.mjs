// Prints the closing line CI reads ("tests: N passed, N failed, N skipped") from vitest's JSON report.
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.vitest-report.json';
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch {
  console.log('tests: 0 passed, 1 failed (no vitest report: the run stopped before the tests)');
  process.exit(0);
}
const skipped = report.numPendingTests + report.numTodoTests;
// Errors outside any test (type errors in sources, unhandled rejections) fail the run but no test:
// count them as a failure so the summary never reads green when vitest did not.
const failed = report.numFailedTests + report.numFailedTestSuites + (report.success === false && report.numFailedTests === 0 && report.numFailedTestSuites === 0 ? 1 : 0);
console.log(`tests: ${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
