// The check's result as text for a terminal or a CI log.
import type { CheckResult } from './run-check';

export function formatCheckResult(result: CheckResult): string {
  const lines: string[] = [];
  const title = result.name === undefined ? 'threadline check' : `threadline check "${result.name}"`;
  lines.push(`${title}: ${result.ok ? 'PASS' : 'FAIL'}`);
  const answer = result.entry.error !== undefined ? `failed (${result.entry.error})` : `answered ${result.entry.status ?? '?'}`;
  lines.push(`  entry      ${result.entry.url} ${answer}`);
  lines.push(`  trace      ${result.traceId}${result.arrived ? ` (${result.spanCount} spans${result.durationMs === undefined ? '' : `, ${result.durationMs.toFixed(1)} ms`})` : ' (not at the collector)'}`);
  if (result.arrived) {
    lines.push(`  complete   ${result.complete === true ? 'yes' : 'no'}`);
    lines.push(`  services   ${result.services.join(' → ') || '(none)'}`);
    if (result.flowSteps.length > 0) {
      lines.push('  flow steps');
      for (const step of result.flowSteps) lines.push(`    ${step}`);
    }
  }
  if (result.steps.length > 0) {
    lines.push('  expected steps');
    for (const step of result.steps) {
      const where = step.found ? `ok   ${step.expected}` : step.inDetachedTrace !== undefined ? `LOST ${step.expected} (in detached trace ${step.inDetachedTrace})` : `MISS ${step.expected}`;
      lines.push(`    ${where}`);
    }
  }
  if (result.problems.length > 0) {
    lines.push('  problems');
    for (const problem of result.problems) lines.push(`    - ${problem}`);
  }
  return `${lines.join('\n')}\n`;
}
