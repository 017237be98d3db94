// The end-to-end setting the n8n platform suites share, all real processes on loopback:
//
//   caller ──► interceptor /webhook (SERVER span) ──► n8n production webhook
//              n8n runs samples/n8n/traced-webhook.json with the built Threadline node, which
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
import type { Receiver } from './otlp-receiver-client';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SAMPLE_WORKFLOW = path.join(REPO_ROOT, 'samples', 'n8n', 'traced-webhook.json');
/** The built node package n8n loads through N8N_CUSTOM_EXTENSIONS. */
export const N8N_NODES_DIST = path.join(REPO_ROOT, 'n8n-nodes', 'dist');
const BUILT_NODE = path.join(N8N_NODES_DIST, 'nodes', 'Threadline', 'Threadline.node.js');

export const WEBHOOK_PATH = 'threadline/orders';
/** Where the sample's HTTP Request node calls: the interceptor's egress route in the sample. */
const SAMPLE_PARTNER_URL = 'http://127.0.0.1:8080/partner/orders';
export const CREDENTIAL_ID = 'ThreadlineCollector1';
export const N8N_SERVICE_NAME = 'n8n-orders';
export const INTERCEPTOR_SERVICE_NAME = 'interceptor';

export interface N8nScenario {
  receiver: Receiver;
  downstream: Upstream;
  interceptor: Interceptor;
  n8n: N8nProcess;
  /** The interceptor's ingress URL of the sample's webhook. */
  webhookUrl: string;
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  install: N8nInstall;
  /** Extra n8n variables; `receiverUrl` is the receiver's traces endpoint (for N8N_OTEL_*). */
  n8nEnv?: (receiverUrl: string) => Record<string, string>;
  log?: (line: string) => void;
}

/** The sample workflow with its outbound call pointed at this run's interceptor. */
export function loadSampleWorkflow(interceptorPort: number): N8nWorkflow {
  const text = fs.readFileSync(SAMPLE_WORKFLOW, 'utf8');
  if (!text.includes(SAMPLE_PARTNER_URL)) throw new Error(`${SAMPLE_WORKFLOW} no longer calls ${SAMPLE_PARTNER_URL}; update n8n-scenario.ts`);
  return JSON.parse(text.split(SAMPLE_PARTNER_URL).join(`http://127.0.0.1:${interceptorPort}/partner/orders`)) as N8nWorkflow;
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
    await n8n.importWorkflow(loadSampleWorkflow(interceptor.address.port));
    await n8n.start();
    await n8n.waitForWebhook('POST', WEBHOOK_PATH);
    return { receiver, downstream, interceptor, n8n, webhookUrl: `http://127.0.0.1:${interceptor.address.port}/webhook/${WEBHOOK_PATH}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
