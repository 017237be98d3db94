// The synthetic check: one request with a fresh trace to an entry URL, then the trace as the
// collector sees it, judged against an expectation. The request goes out through the connectors'
// traced fetch under a root span record of its own ("threadline check"), both exported to the
// collector, so the trace's root is the check itself and nothing upstream of the entry is missing.
import { createThreadline, createTracedFetch, defaultConfig, type ThreadlineConfig } from '@threadline/connectors';
import type { ApiSpan, ContextBreak, TraceDetailResponse } from '../api/contract';
import { expectedStepText, type CheckExpectation, type ExpectedStep } from './expectation';

export const CHECK_SERVICE_NAME = 'threadline-check';
const POLL_INTERVAL_MS = 250;

export interface CheckOptions {
  /** The entry URL the request is sent to. */
  url: string;
  /** The collector's base URL (its /v1/traces endpoint is accepted too). */
  collectorUrl: string;
  /** Bearer token of the collector, if it needs one. */
  token?: string;
  expectation?: CheckExpectation;
  /** How long to wait for the trace. Default 15 s. */
  timeoutMs?: number;
  /** Progress lines while waiting. */
  onProgress?: (line: string) => void;
}

export interface StepOutcome {
  expected: string;
  found: boolean;
  /** Where it was found: the matching span's step label. */
  at?: string;
  /** Not in this trace but in a detached one (the context was lost before it). */
  inDetachedTrace?: string;
}

export interface CheckResult {
  ok: boolean;
  name?: string;
  traceId: string;
  entry: { url: string; status?: number; error?: string };
  /** Whether the trace showed up at the collector at all. */
  arrived: boolean;
  spanCount: number;
  durationMs?: number;
  services: string[];
  /** Flow steps the trace passed, in order, as labels. */
  flowSteps: string[];
  complete?: boolean;
  steps: StepOutcome[];
  /** Where the context was dropped, from the audit. */
  contextBreaks: ContextBreak[];
  /** Every reason the check failed, most telling first. */
  problems: string[];
}

function collectorBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1\/traces$/, '');
}

function checkConfig(tracesEndpoint: string, token: string | undefined): ThreadlineConfig {
  const config = defaultConfig();
  config.service = { name: CHECK_SERVICE_NAME, attributes: {} };
  config.exporter = {
    ...config.exporter,
    tracesEndpoint,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    queue: { ...config.exporter.queue, scheduledDelayMillis: 100 },
    retry: { ...config.exporter.retry, maxAttempts: 2, initialBackoffMillis: 200 },
  };
  // The check decides to trace its own request, whatever the defaults sample.
  config.sampling = { ...config.sampling, sampler: 'always_on' };
  return config;
}

/** Sends the request under a fresh trace; returns the trace id and the entry's answer. */
async function sendRequest(options: CheckOptions): Promise<{ traceId: string; status?: number; error?: string }> {
  const base = collectorBase(options.collectorUrl);
  const threadline = createThreadline({ config: checkConfig(`${base}/v1/traces`, options.token) });
  try {
    const record = threadline.pipeline.openRecord({ name: 'threadline check', kind: 'internal', attributes: { 'threadline.check.url': options.url } });
    const tracedFetch = createTracedFetch(threadline);
    const request = options.expectation?.request ?? {};
    let status: number | undefined;
    let error: string | undefined;
    try {
      const init: RequestInit = { method: request.method ?? 'GET', headers: request.headers ?? {} };
      if (request.body !== undefined) init.body = request.body;
      const response = await tracedFetch(options.url, { ...init, threadline: { parent: threadline.pipeline.recordToCarrier(record)! } });
      status = response.status;
      await response.arrayBuffer();
    } catch (failure) {
      error = failure instanceof Error ? (failure.cause instanceof Error ? `${failure.message}: ${failure.cause.message}` : failure.message) : String(failure);
    }
    threadline.pipeline.endRecord(record, error === undefined ? {} : { error: new Error(error) });
    await threadline.forceFlush();
    return { traceId: record.traceId, ...(status === undefined ? {} : { status }), ...(error === undefined ? {} : { error }) };
  } finally {
    await threadline.shutdown();
  }
}

function fieldMatches(expected: string | undefined, ...actual: (string | undefined)[]): boolean {
  return expected === undefined || actual.includes(expected);
}

function spanMatches(span: ApiSpan, step: ExpectedStep): boolean {
  const flow = span.flow;
  if ((step.platform !== undefined || step.flow !== undefined || step.node !== undefined) && flow === undefined) return false;
  return (
    fieldMatches(step.service, span.service) &&
    fieldMatches(step.span, span.name) &&
    fieldMatches(step.platform, flow?.platform) &&
    fieldMatches(step.flow, flow?.flowName, flow?.flowId) &&
    fieldMatches(step.node, flow?.nodeName, flow?.nodeId, flow?.nodeType)
  );
}

function labelOf(span: ApiSpan): string {
  if (span.flow === undefined) return `service "${span.service}" › span "${span.name}"`;
  const flowWord = span.flow.platform === 'n8n' ? 'workflow' : 'flow';
  return `${span.flow.platform} ${flowWord} "${span.flow.flowName}" › node "${span.flow.nodeName}"`;
}

interface Fetched {
  detail?: TraceDetailResponse;
  /** Details of traces that broke off from this one. */
  detached: TraceDetailResponse[];
}

async function getJson<T>(url: string, token: string | undefined): Promise<T | undefined> {
  const response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  if (response.status === 404) {
    await response.arrayBuffer();
    return undefined;
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`collector answered ${response.status} to GET ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

async function fetchTrace(base: string, traceId: string, token: string | undefined): Promise<Fetched> {
  const detail = await getJson<TraceDetailResponse>(`${base}/api/traces/${traceId}`, token);
  const detached: TraceDetailResponse[] = [];
  for (const found of detail?.audit.contextBreaks ?? []) {
    if (found.at.traceId === traceId) continue;
    const other = await getJson<TraceDetailResponse>(`${base}/api/traces/${found.at.traceId}`, token);
    if (other !== undefined) detached.push(other);
  }
  return detail === undefined ? { detached } : { detail, detached };
}

function judge(options: CheckOptions, entry: CheckResult['entry'], traceId: string, fetched: Fetched): CheckResult {
  const expectation = options.expectation ?? {};
  const detail = fetched.detail;
  const spans = detail?.spans ?? [];
  const problems: string[] = [];
  const contextBreaks = detail?.audit.contextBreaks ?? [];
  const result: CheckResult = {
    ok: false,
    traceId,
    entry,
    arrived: detail !== undefined,
    spanCount: spans.length,
    services: detail?.summary.services ?? [],
    flowSteps: [...new Set(spans.filter((span) => span.flow !== undefined).map(labelOf))],
    steps: [],
    contextBreaks,
    problems,
  };
  if (expectation.name !== undefined) result.name = expectation.name;
  if (detail !== undefined) {
    result.durationMs = detail.summary.durationMs;
    result.complete = detail.audit.complete;
  }

  if (entry.error !== undefined) problems.push(`the request to ${entry.url} failed: ${entry.error}`);
  const expectStatus = expectation.request?.expectStatus;
  if (entry.status !== undefined) {
    if (expectStatus !== undefined ? entry.status !== expectStatus : entry.status < 200 || entry.status > 299) {
      problems.push(`${entry.url} answered ${entry.status}, expected ${expectStatus ?? 'a 2xx status'}`);
    }
  }
  if (detail === undefined) problems.push(`trace ${traceId} did not arrive at the collector ${collectorBase(options.collectorUrl)}`);

  // Lost context first: it is the most telling reason, and it names the step.
  for (const found of contextBreaks) {
    if (found.from.traceId === traceId) problems.push(`context dropped after ${found.from.label}: ${found.at.label} started a new trace ${found.at.traceId}`);
  }
  if (detail !== undefined && expectation.complete !== false) {
    for (const missing of detail.audit.missingParents) {
      problems.push(`parent span ${missing.parentSpanId} of ${missing.children.map((child) => child.label).join(', ')} never arrived`);
    }
  }
  for (const step of expectation.steps ?? []) {
    const expected = expectedStepText(step);
    const match = spans.find((span) => spanMatches(span, step));
    const outcome: StepOutcome = { expected, found: match !== undefined };
    if (match !== undefined) outcome.at = labelOf(match);
    else {
      const elsewhere = fetched.detached.find((other) => other.spans.some((span) => spanMatches(span, step)));
      if (elsewhere !== undefined) outcome.inDetachedTrace = elsewhere.summary.traceId;
      problems.push(
        elsewhere !== undefined
          ? `step ${expected} ran in another trace (${elsewhere.summary.traceId}): the context was lost before it`
          : `step ${expected} was not reached`,
      );
    }
    result.steps.push(outcome);
  }
  for (const service of expectation.services ?? []) {
    if (detail !== undefined && !result.services.includes(service)) problems.push(`service "${service}" is not in the trace`);
  }
  if (detail !== undefined && expectation.minSpans !== undefined && spans.length < expectation.minSpans) {
    problems.push(`the trace has ${spans.length} spans, expected at least ${expectation.minSpans}`);
  }
  if (detail !== undefined && expectation.maxDurationMs !== undefined && detail.summary.durationMs > expectation.maxDurationMs) {
    problems.push(`the trace took ${detail.summary.durationMs.toFixed(1)} ms, expected at most ${expectation.maxDurationMs} ms`);
  }
  result.ok = problems.length === 0;
  return result;
}

/**
 * Runs the check. Waits until the trace has settled at the collector and meets the expectation
 * (pass), or until it has settled with a context break or after a failed request (fail at once:
 * waiting cannot mend either), or until the timeout (fail with what is known then).
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = collectorBase(options.collectorUrl);
  const sent = await sendRequest(options);
  const entry: CheckResult['entry'] = { url: options.url };
  if (sent.status !== undefined) entry.status = sent.status;
  if (sent.error !== undefined) entry.error = sent.error;
  options.onProgress?.(`sent ${options.expectation?.request?.method ?? 'GET'} ${options.url} with trace ${sent.traceId}${sent.status === undefined ? '' : ` (answer ${sent.status})`}; waiting for the trace`);

  const deadline = Date.now() + timeoutMs;
  let last: CheckResult | undefined;
  for (;;) {
    let fetched: Fetched;
    try {
      fetched = await fetchTrace(base, sent.traceId, options.token);
    } catch (error) {
      // A collector that cannot be asked is a failed check, said plainly.
      const result = judge(options, entry, sent.traceId, { detached: [] });
      result.ok = false;
      result.problems.unshift(`cannot query the collector: ${(error as Error).message}`);
      return result;
    }
    last = judge(options, entry, sent.traceId, fetched);
    const settled = fetched.detail?.summary.settled === true;
    if (settled && last.ok) return last;
    if (settled && last.contextBreaks.some((found) => found.from.traceId === sent.traceId)) return last;
    // The entry could not be reached: once the check's own spans are in, nothing more will come.
    if (settled && entry.error !== undefined) return last;
    if (Date.now() >= deadline) return last;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
