import type {
  ICredentialDataDecryptedObject,
  ICredentialTestRequest,
  ICredentialType,
  IHttpRequestOptions,
  INodeProperties,
} from 'n8n-workflow';
import { parseCollectorHeaders } from '../nodes/Threadline/collector-headers';

/** Where the Threadline node sends its spans: an OTLP/HTTP traces endpoint. */
export class ThreadlineCollectorApi implements ICredentialType {
  name = 'threadlineCollectorApi';

  displayName = 'Threadline Collector API';

  icon = { light: 'file:threadline.svg', dark: 'file:threadline.dark.svg' } as const;

  documentationUrl = 'https://opentelemetry.io/docs/specs/otlp/#otlphttp';

  properties: INodeProperties[] = [
    {
      displayName: 'OTLP Traces Endpoint',
      name: 'endpoint',
      type: 'string',
      default: 'http://localhost:4318/v1/traces',
      required: true,
      placeholder: 'http://otel-collector:4318/v1/traces',
      description: 'Full URL of the collector\'s OTLP/HTTP traces endpoint, path included',
    },
    {
      displayName: 'Protocol',
      name: 'protocol',
      type: 'options',
      options: [
        { name: 'HTTP/Protobuf', value: 'http/protobuf' },
        { name: 'HTTP/JSON', value: 'http/json' },
      ],
      default: 'http/protobuf',
      description: 'How spans are encoded (OTEL_EXPORTER_OTLP_PROTOCOL)',
    },
    {
      displayName: 'Bearer Token',
      name: 'token',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'Sent as "Authorization: Bearer &lt;token&gt;"; leave empty when the collector needs none',
    },
    {
      displayName: 'Headers',
      name: 'headers',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'x-api-key=abc,x-tenant=acme',
      description: 'Extra headers as key=value pairs separated by commas, percent-encoded (like OTEL_EXPORTER_OTLP_HEADERS)',
    },
    {
      displayName: 'Service Name',
      name: 'serviceName',
      type: 'string',
      default: 'n8n',
      description: 'service.name of the spans the Threadline node sends',
    },
    {
      displayName: 'Sampling Ratio for New Traces',
      name: 'samplingRatio',
      type: 'number',
      typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 4 },
      default: 1,
      description: 'Share of traces started in n8n that are recorded (consistent probability sampling); a caller\'s decision is always followed',
    },
    {
      displayName: 'Baggage Keys Accepted From Callers',
      name: 'baggageAccept',
      type: 'string',
      default: '*',
      description: 'Comma-separated globs; baggage members with other keys are stripped when a trace is continued, and cannot be set',
    },
    {
      displayName: 'Baggage Keys Forwarded',
      name: 'baggageForward',
      type: 'string',
      default: '*',
      description: 'Comma-separated globs of the keys sent on outbound calls (to the destinations chosen below); others are stripped',
    },
    {
      displayName: 'Forward Baggage To',
      name: 'baggageForwardTo',
      type: 'options',
      options: [
        { name: 'Internal Hosts Only', value: 'internal' },
        { name: 'External Hosts Only', value: 'external' },
        { name: 'Any Host', value: 'any' },
      ],
      default: 'internal',
    },
    {
      displayName: 'Internal Hosts',
      name: 'internalHosts',
      type: 'string',
      default: 'localhost,*.localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,*.internal,*.local,*.svc,*.cluster.local',
      description: 'Comma-separated host globs and IPv4 CIDR blocks that count as internal',
    },
    {
      displayName: 'Baggage Keys Copied to Spans',
      name: 'baggageCopyToSpans',
      type: 'string',
      default: '',
      description: 'Comma-separated globs of keys recorded on spans as baggage.&lt;key&gt; (then redacted like any attribute)',
    },
  ];

  // Adds the token and the extra headers to every request sent with this credential (span
  // exports and the credential test).
  async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
    const headers: Record<string, string> = {};
    const extra = typeof credentials.headers === 'string' ? parseCollectorHeaders(credentials.headers) : {};
    if (typeof extra === 'string') throw new Error(`Threadline Collector credential, Headers: ${extra}`);
    Object.assign(headers, extra);
    if (typeof credentials.token === 'string' && credentials.token !== '') headers.authorization = `Bearer ${credentials.token}`;
    return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), ...headers } };
  }

  // An empty OTLP/JSON export: a collector answers 200 without storing anything.
  test: ICredentialTestRequest = {
    request: {
      method: 'POST',
      url: '={{$credentials.endpoint}}',
      headers: { 'content-type': 'application/json' },
      body: { resourceSpans: [] },
      json: true,
    },
  };
}
