// The end-to-end setting the n8n platform suites share, all real processes on loopback:
//
//   caller ──► interceptor /webhook (SERVER span) ──► n8n production webhook
//              n8n runs the samples/n8n workflows with the built Threadline node, which
//              exports its spans to the OTLP receiver process, and calls out
//   n8n ──► interceptor /partner (egress route, CLIENT span) ──► downstream test server
//
// The interceptor runs in the test process (startInterceptor) and exports to the same receiver.
// Baggage rules: the interceptor accepts only tenant.id and order.channel from callers; the
// Threadline credential forwards only tenant.id, so the downstream server must see tenant.id alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Interceptor } from '../../interceptor/src';
import { startInterceptor } from '../../interceptor/src';
import { startUpstream } from '../../interceptor/test/proxy/support';
import type { Upstream } from '../../interceptor/test/proxy/support';
import type { N8nInstall } from './n8n-install';
import { prepareN8n } from './n8n-runtime';
import type { N8nCredential, N8nProcess, N8nWorkflow } from './n8n-runtime';
import { startReceiver } from './otlp-receiver-client';
import type { ReceivedSpan, Receiver } from './otlp-receiver-client';
import { describeTrace, receivedTraceparent } from './trace-tree';
import type { Traceparent } from '../../connectors/src';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SAMPLES_DIR = path.join(REPO_ROOT, 'samples', 'n8n');
/** The built node package n8n loads through N8N_CUSTOM_EXTENSIONS. */
export const N8N_NODES_DIST = path.join(REPO_ROOT, 'n8n-nodes', 'dist');
const BUILT_NODE = path.join(N8N_NODES_DIST, 'nodes', 'Threadline', 'Threadline.node.js');

/** The sample workflows every scenario imports and activates, with their webhook paths. */
export const SAMPLES = {
  /** Threadline's own traced HTTP Request operation. */
  tracedWebhook: { file: path.join(SAMPLES_DIR, 'traced-webhook.json'), webhookPath: 'threadline/orders' },
  /** Outbound Headers → n8n's core HTTP Request node → End Span. */
  coreHttpRequest: { file: path.join(SAMPLES_DIR, 'core-http-request.json'), webhookPath: 'threadline/shipments' },
} as const;
export type SampleName = keyof typeof SAMPLES;

/** Where the samples' outbound calls go: the interceptor's egress route, port 8080 in the samples. */
const SAMPLE_PARTNER_PREFIX = 'http://127.0.0.1:8080/partner/';
export const CREDENTIAL_ID = 'ThreadlineCollector1';
export const N8N_SERVICE_NAME = 'n8n-orders';
export const INTERCEPTOR_SERVICE_NAME = 'interceptor';

export interface N8nScenario {
  receiver: Receiver;
  downstream: Upstream;
  interceptor: Interceptor;
  n8n: N8nProcess;
  /** The interceptor's ingress URL of each sample's webhook. */
  webhookUrls: Record<SampleName, string>;
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  install: N8nInstall;
  /** Extra n8n variables; `receiverUrl` is the receiver's traces endpoint (for N8N_OTEL_*). */
  n8nEnv?: (receiverUrl: string) => Record<string, string>;
  log?: (line: string) => void;
}

/** A sample workflow with its outbound calls pointed at this run's interceptor. */
export function loadSampleWorkflow(file: string, interceptorPort: number): N8nWorkflow {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(SAMPLE_PARTNER_PREFIX)) throw new Error(`${file} no longer calls ${SAMPLE_PARTNER_PREFIX}...; update n8n-scenario.ts`);
  return JSON.parse(text.split(SAMPLE_PARTNER_PREFIX).join(`http://127.0.0.1:${interceptorPort}/partner/`)) as N8nWorkflow;
}

function collectorCredential(receiverUrl: string): N8nCredential {
  return {
    id: CREDENTIAL_ID,
    name: 'Threadline Collector',
    type: 'threadlineCollectorApi',
    data: { endpoint: receiverUrl, protocol: 'http/protobuf', serviceName: N8N_SERVICE_NAME, baggageAccept: '*', baggageForward: 'tenant.id', baggageForwardTo: 'internal' },
  };
}

function interceptorConfig(folder: string, n8nPort: number, downstreamUrl: string, receiverUrl: string): string {
  const file = path.join(folder, 'interceptor.yaml');
  fs.writeFileSync(
    file,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      'routes:',
      '  - name: n8n-webhooks',
      '    path: /webhook',
      `    upstream: http://127.0.0.1:${n8nPort}/webhook`,
      '    stripPrefix: true',
      '  - name: partner',
      '    path: /partner',
      `    upstream: ${downstreamUrl}`,
      '    direction: egress',
      '    stripPrefix: true',
      `service: { name: ${INTERCEPTOR_SERVICE_NAME} }`,
      'exporter:',
      `  tracesEndpoint: ${receiverUrl}`,
      '  protocol: http/json',
      '  queue: { scheduledDelayMillis: 50 }',
      'admin: { enabled: false }',
      'accessLog: { enabled: false }',
      'redaction:',
      '  rules:',
      '    baggage:',
      '      accept: [tenant.id, order.channel]',
      '      internalHosts: [127.0.0.0/8]',
      '      forward:',
      '        - keys: [tenant.id, order.channel]',
      '          to: internal',
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts receiver, downstream, interceptor and n8n with the sample imported and active. */
export async function startN8nScenario(options: ScenarioOptions): Promise<N8nScenario> {
  if (!fs.existsSync(BUILT_NODE)) throw new Error(`${BUILT_NODE} is missing: build the n8n node package first (npm run build)`);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-n8n-e2e-'));
  const started: { stop(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    fs.rmSync(folder, { recursive: true, force: true });
  };
  try {
    const receiver = await startReceiver();
    started.push(receiver);
    const downstream = await startUpstream();
    started.push({ stop: () => downstream.close() });
    const n8n = await prepareN8n({ install: options.install, customExtensions: N8N_NODES_DIST, env: options.n8nEnv?.(receiver.url), log: options.log });
    started.push(n8n);
    const interceptor = await startInterceptor({ file: interceptorConfig(folder, n8n.port, downstream.url, receiver.url), log: options.log });
    started.push({ stop: () => interceptor.close(2_000) });
    await n8n.importCredentials([collectorCredential(receiver.url)]);
    const samples = Object.entries(SAMPLES) as [SampleName, (typeof SAMPLES)[SampleName]][];
    for (const [, sample] of samples) await n8n.importWorkflow(loadSampleWorkflow(sample.file, interceptor.address.port));
    await n8n.start();
    for (const [, sample] of samples) await n8n.waitForWebhook('POST', sample.webhookPath);
    const webhookUrls = Object.fromEntries(samples.map(([name, sample]) => [name, `http://127.0.0.1:${interceptor.address.port}/webhook/${sample.webhookPath}`])) as Record<SampleName, string>;
    return { receiver, downstream, interceptor, n8n, webhookUrls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The custom data of the execution n8n saved with `threadline.traceId` = `traceId` (what a user
 * filters the execution list on). n8n saves an execution after answering the webhook, so this
 * polls until it is there.
 */
export async function waitForExecutionOfTrace(n8n: N8nProcess, traceId: string, timeoutMs = 60_000): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await n8n.executionCustomData();
    const execution = rows.find((row) => row.key === 'threadline_traceId' && row.value === traceId)?.executionId;
    if (execution !== undefined) return Object.fromEntries(rows.filter((row) => row.executionId === execution).map((row) => [row.key, row.value]));
    if (Date.now() > deadline) throw new Error(`no execution with custom data threadline.traceId=${traceId} within ${timeoutMs / 1000} s; custom data saved: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What a caller sends: the interceptor keeps tenant.id and order.channel, the credential forwards tenant.id. */
const CALLER_BAGGAGE = 'tenant.id=acme,order.channel=web,user.email=bob%40example.com';
export const FORWARDED_BAGGAGE = 'tenant.id=acme';

export interface WebhookCall {
  url: string;
  traceId: string;
  callerSpanId: string;
  tracestate?: string;
  /** The body posted; the sample workflows forward it unchanged to the downstream API. */
  payload: Record<string, unknown>;
  /** The fields of the payload the workflow answers with, beside the partner's answer. */
  answer: Record<string, unknown>;
  /** Where the workflow calls the downstream API. */
  downstreamPath: string;
}

/**
 * Calls a sample workflow's webhook through the interceptor with the caller's context and checks
 * what every sample guarantees: a 200 with the partner's answer, and one downstream call in the
 * caller's trace carrying only the forwarded baggage (and the caller's tracestate, when sent).
 * Returns the traceparent the downstream API received.
 */
export async function callWebhook(scenario: N8nScenario, call: WebhookCall): Promise<Traceparent> {
  const response = await fetch(call.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      traceparent: `00-${call.traceId}-${call.callerSpanId}-01`,
      ...(call.tracestate === undefined ? {} : { tracestate: call.tracestate }),
      baggage: CALLER_BAGGAGE,
    },
    body: JSON.stringify(call.payload),
  });
  const body = await response.text();
  expect({ status: response.status, body }).toMatchObject({ status: 200 });
  // The samples answer with the order and the partner's answer, not with the trace record.
  expect(JSON.parse(body)).toEqual({ ...call.answer, partnerStatus: 200, partner: expect.objectContaining({ method: 'POST', url: call.downstreamPath }) });

  const calls = scenario.downstream.requests.filter((request) => request.url === call.downstreamPath);
  expect(calls).toHaveLength(1);
  const received = calls[0]!;
  expect(JSON.parse(received.body)).toEqual(call.payload);
  const parent = receivedTraceparent(received.headers.traceparent);
  expect(parent.traceId).toBe(call.traceId);
  expect(received.headers.baggage).toBe(FORWARDED_BAGGAGE);
  if (call.tracestate !== undefined) expect(received.headers.tracestate).toBe(call.tracestate);
  return parent;
}

/**
 * Waits until the spans of `traceId` at the receiver satisfy `complete`, and returns them; when
 * they never do, prints every span received so the failure shows what arrived.
 */
export async function waitForTrace(receiver: Receiver, traceId: string, complete: (trace: ReceivedSpan[]) => boolean, timeoutMs: number): Promise<ReceivedSpan[]> {
  let spans: ReceivedSpan[] = [];
  try {
    spans = await receiver.waitForSpans((all) => complete(all.filter((span) => span.traceId === traceId)), timeoutMs);
  } finally {
    if (spans.length === 0) console.error(describeTrace(await receiver.spans()));
  }
  return spans.filter((span) => span.traceId === traceId);
}
