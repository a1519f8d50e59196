// Prints vitest's JSON report as the plain line CI reads: "N passed, N failed".
import { readFileSync } from 'node:fs';

try {
  const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  // A file that fails to load has no failed test of its own: count it as one failure.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  const failed = report.numFailedTests + brokenFiles;
  console.log(`${report.numPassedTests} passed, ${failed} failed`);
} catch (error) {
  console.log(`0 passed, 1 failed`);
  console.error(`test-summary: no readable report (${error.message})`);
}
