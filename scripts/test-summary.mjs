// Prints vitest's JSON reports (the suite, and the Node 24 subset when it ran) as the plain line CI reads: "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of ['test-results/vitest.json', 'test-results/vitest-node24.json']) {
  if (file !== 'test-results/vitest.json' && !existsSync(file)) continue;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    // A file that fails to load has no failed test of its own: count it as one failure.
    const brokenFiles = report.testResults.filter(
      (result) => result.status === 'failed' && !result.assertionResults.some((test) => test.status === 'failed'),
    ).length;
    passed += report.numPassedTests;
    failed += report.numFailedTests + brokenFiles;
  } catch (error) {
    failed += 1;
    console.error(`test-summary: no readable report in ${file} (${error.message})`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
