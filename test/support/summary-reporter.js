// Prints one plain closing line, "tests: N passed, N failed, N skipped", that CI reads. Jest adds
// its own summary after every configured reporter, so the line is written when the process exits,
// to be the last one.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.once('exit', () => process.stderr.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`));
  }
}
module.exports = SummaryReporter;
