// `npm start`: Threadline on embedded defaults, end to end on this machine. A caller's orders go
// through the interceptor into a real Node-RED flow built from Threadline nodes, out through the
// interceptor's egress route to a stock API, and arrive as one trace each at the built-in
// collector, whose viewer and completeness audit show them. Ctrl-C stops everything.
import { auditReport, traceDetail, viewerTraceUrl, waitForSettledTrace } from './collector-client';
import { BROKEN_STEP_NAME } from './flow';
import { DemoUsageError, readDemoOptions, USAGE } from './options';
import type { DemoOptions } from './options';
import { StartInterrupted, startStack } from './stack';
import type { Stack } from './stack';
import { formatTraceTree, summariseBreaks } from './trace-printer';
import { SAMPLE_ORDERS, sendOrders } from './traffic';
import type { SentOrder } from './traffic';

/** How long the demo waits for a trace to arrive and settle at the collector. */
const TRACE_TIMEOUT_MS = 30_000;
/** A trace of the demo has at least the caller's, the interceptor's, Node-RED's and the API's spans. */
const MIN_TRACE_SPANS = 5;

// A closed output (the demo piped into `head`, say) must not end the demo before it has stopped
// what it started: further lines are dropped.
let outputClosed = false;
process.stdout.on('error', () => (outputClosed = true));
const say = (line: string): void => {
  if (!outputClosed) process.stdout.write(`${line}\n`);
};
const step = (line: string): void => say(line.startsWith('  ') ? line : `▸ ${line}`);

function describeOrder(sent: SentOrder, index: number): string {
  const answer = sent.error !== undefined ? `failed: ${sent.error}` : `answered ${sent.status}`;
  return `  order #${index + 1} ${sent.order.quantity} × ${sent.order.item}: ${answer}, trace ${sent.traceId}`;
}

/** Waits for every trace of the burst, prints the first as a tree; false when one never arrived. */
async function showTraces(stack: Stack, sent: SentOrder[], options: DemoOptions): Promise<boolean> {
  step('waiting for the traces to arrive and settle at the collector');
  const details = [];
  for (const order of sent) {
    const detail = await waitForSettledTrace(stack.collectorUrl, order.traceId, MIN_TRACE_SPANS, TRACE_TIMEOUT_MS);
    if (detail === undefined) {
      say(`  trace ${order.traceId} did not arrive and settle at the collector within ${TRACE_TIMEOUT_MS / 1000} s`);
      const partial = await traceDetail(stack.collectorUrl, order.traceId);
      if (partial !== undefined) say(formatTraceTree(partial));
      return false;
    }
    details.push(detail);
  }
  const first = details[0]!;
  say('');
  say(formatTraceTree(first));
  if (options.brokenStep) {
    // the other side of the break: the trace the rest of the flow ran in
    const detached = first.audit.contextBreaks.find((found) => found.role === 'caller')?.at.traceId;
    const other = detached === undefined ? undefined : await traceDetail(stack.collectorUrl, detached);
    if (other !== undefined) {
      say('');
      say(`where the rest of the flow went after "${BROKEN_STEP_NAME}":`);
      say(formatTraceTree(other));
    }
  }
  return true;
}

/** The audit over this run's traces, once every one of them has been judged. */
async function showAudit(stack: Stack, sinceMs: number): Promise<void> {
  const deadline = Date.now() + TRACE_TIMEOUT_MS;
  let report = await auditReport(stack.collectorUrl, Date.now() - sinceMs);
  while (report.pendingCount > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    report = await auditReport(stack.collectorUrl, Date.now() - sinceMs);
  }
  const share = Math.round(report.completeShare * 1000) / 10;
  say('');
  say(`completeness audit: ${report.completeCount} of ${report.traceCount} traces complete (${share} %)${report.pendingCount > 0 ? `, ${report.pendingCount} not settled yet` : ''}`);
  for (const line of summariseBreaks(report.contextBreaks)) say(`  ${line}`);
}

function showNextSteps(stack: Stack, traceId: string, once: boolean): void {
  say('');
  say('in the trace viewer:');
  say(`  this trace     ${viewerTraceUrl(stack.collectorUrl, traceId)}`);
  say(`  its flow view  ${viewerTraceUrl(stack.collectorUrl, traceId, 'flow')}`);
  say(`  the audit      ${stack.collectorUrl}/#/audit`);
  if (once) {
    if (stack.ownCollector) say('  (the viewer stops with the demo: run `npm start` without --once to browse these traces)');
    return;
  }
  say('');
  say('try it yourself (each request is a new trace in the viewer):');
  say(`  curl -X POST -H 'content-type: application/json' -d '{"item":"sku-1","quantity":2}' ${stack.entryUrl}`);
  say(`  npx threadline check --url ${stack.entryUrl} --collector ${stack.collectorUrl} --expect samples/check/demo.expect.yaml`);
  say('');
  say('running; Ctrl-C stops everything');
}

async function run(options: DemoOptions, interrupted: AbortSignal): Promise<number> {
  const startedMs = Date.now();
  say(`Threadline demo${options.brokenStep ? `, with a broken "${BROKEN_STEP_NAME}" step` : ''}`);
  const stack = await startStack({
    collectorPort: options.collectorPort,
    ...(options.collectorUrl === undefined ? {} : { collectorUrl: options.collectorUrl }),
    brokenStep: options.brokenStep,
    say: step,
    signal: interrupted,
  });
  const stopped = new Promise<void>((resolve) => interrupted.addEventListener('abort', () => resolve(), { once: true }));
  try {
    step(`up in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; sending ${SAMPLE_ORDERS.length} orders to ${stack.entryUrl}`);
    const sent = await sendOrders(stack.entryUrl, stack.tracesUrl);
    sent.forEach((order, index) => say(describeOrder(order, index)));
    if (interrupted.aborted) return 0;
    const arrived = await showTraces(stack, sent, options);
    if (!arrived) return 1;
    await showAudit(stack, startedMs);
    showNextSteps(stack, sent[0]!.traceId, options.once);
    if (!options.once) await stopped;
  } finally {
    step(`stopping: the interceptor, Node-RED, the stock API${stack.ownCollector ? ' and the collector' : ''}`);
    await stack.stop();
    step('stopped');
  }
  return 0;
}

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = readDemoOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    say(USAGE);
    return 0;
  }
  // Ctrl-C (or SIGTERM, or the terminal closing) stops everything that has started, then the process exits 0.
  const interrupt = new AbortController();
  const onSignal = (): void => {
    if (interrupt.signal.aborted) return;
    say('');
    step('interrupted');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    return await run(options, interrupt.signal);
  } catch (error) {
    if (error instanceof StartInterrupted || interrupt.signal.aborted) return 0;
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
