// The strict default rules: what every span goes through when no rules file is configured. One
// source: this data. samples/rules/strict-default.yaml must hold the same data (a test compares
// them), so admins can start from a file that behaves exactly like the built-in.
//
// What it does: every value detector on (cards masked to the last four digits, loopback
// addresses allowed); credential-looking `key=value` text redacted anywhere; attributes whose
// key names a secret or a person dropped; query values of sensitive-looking keys redacted;
// opaque ids in URL paths replaced by {id} (plain numbers kept: they are row ids without
// meaning outside the database); captured headers limited to a harmless few; no body fields;
// baggage kept inside (loopback, private networks, cluster names) and stripped toward anything
// external, never copied onto spans.
import { compileRules, type CompiledRules } from './compile';
import type { RedactionRules } from './rules-document';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

const CREDENTIAL_KEYS = 'pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth(?:orization)?';

export const STRICT_DEFAULT_RULES: Readonly<RedactionRules> = deepFreeze<RedactionRules>({
  version: 1,
  name: 'strict-default',
  description: 'Built-in strict default: every detector on, secret-named keys dropped, external baggage stripped.',
  attributes: {
    safe: [
      'http.request.method',
      'http.response.status_code',
      'url.scheme',
      'server.port',
      'client.port',
      'network.protocol.name',
      'network.protocol.version',
      'otel.status_code',
    ],
    block: [
      '*password*',
      '*passwd*',
      '*secret*',
      '*token*',
      '*api_key*',
      '*apikey*',
      '*api-key*',
      '*access_key*',
      '*private_key*',
      '*credential*',
      '*authorization*',
      '*cookie*',
      '*session*',
      'user.*',
      'enduser.*',
    ],
    rules: [{ name: 'token counts are numbers', keys: ['gen_ai.usage.*'], action: 'keep' }],
  },
  detectors: {
    urlCredentials: true,
    jwt: true,
    bearerToken: true,
    apiKey: true,
    email: true,
    iban: true,
    paymentCard: { action: { type: 'mask', keep: 4 } },
    phone: true,
    ipAddress: true,
    highEntropy: true,
  },
  patterns: [
    {
      name: 'credential in key=value text',
      regex: `(?<![A-Za-z0-9])(?:${CREDENTIAL_KEYS})["']?\\s*[=:]\\s*["']?(?<redact>[^\\s&,;"'<>]+)`,
      ignoreCase: true,
      requires: ['pass', 'pwd', 'secret', 'token', 'key', 'auth'],
    },
  ],
  allowedValues: [{ regex: '127(?:\\.[0-9]{1,3}){3}' }, { regex: '::1' }, { regex: '0\\.0\\.0\\.0' }],
  url: {
    query: {
      mode: 'denylist',
      sensitiveKeys: ['*pass*', '*pwd*', '*secret*', '*token*', '*key*', '*auth*', '*sig*', '*credential*', '*session*', 'code', 'jwt', 'assertion', 'saml*', 'ticket', '*otp*'],
    },
    userInfo: true,
    pathIds: { enabled: true, numeric: false },
  },
  headers: {
    request: ['content-type', 'content-length', 'accept', 'accept-encoding', 'user-agent', 'x-request-id'],
    response: ['content-type', 'content-length', 'cache-control', 'retry-after'],
  },
  baggage: {
    accept: ['*'],
    internalHosts: ['localhost', '*.localhost', '127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '*.internal', '*.local', '*.svc', '*.cluster.local'],
    forward: [{ keys: ['*'], to: 'internal' }],
  },
  summary: true,
  tests: [
    {
      name: 'an e-mail inside a custom attribute is redacted, the rest kept',
      given: { attributes: { 'order.note': 'call back bob@example.com today' } },
      expect: { attributes: { 'order.note': 'call back REDACTED today', 'threadline.redaction.count': 1, 'threadline.redaction.keys': ['order.note'] } },
    },
    {
      name: 'a card number keeps only its last four digits; a Luhn-invalid number is kept',
      given: { attributes: { 'payment.ref': '4111 1111 1111 1111', 'order.id': '4111111111111112' } },
      expect: { attributes: { 'payment.ref': '****1111', 'order.id': '4111111111111112' } },
    },
    {
      name: 'URL user info and signed query values are redacted (semantic conventions)',
      given: { attributes: { 'url.full': 'https://alice:pw@shop.example/a?sig=abc&page=2' } },
      expect: { attributes: { 'url.full': 'https://REDACTED:REDACTED@shop.example/a?sig=REDACTED&page=2' } },
    },
    {
      name: 'secret-named keys and unlisted headers are dropped',
      given: { attributes: { 'db.password': 'hunter2', 'http.request.header.authorization': ['Bearer abc.def.ghi'], 'http.request.header.content-type': ['application/json'] } },
      expect: { attributes: { 'db.password': null, 'http.request.header.authorization': null, 'http.request.header.content-type': ['application/json'] } },
    },
    {
      name: 'exception messages and span names are redacted too',
      given: {
        span: {
          name: 'GET /users/3fa85f64-5717-4562-b3fc-2c963f66afa6',
          events: [{ name: 'exception', attributes: { 'exception.message': 'login failed for bob@example.com with token=s3cr3t' } }],
        },
      },
      expect: {
        name: 'GET /users/{id}',
        events: [{ attributes: { 'exception.message': 'login failed for REDACTED with token=REDACTED' } }],
        notContains: ['bob@example.com', 's3cr3t'],
      },
    },
    {
      name: 'baggage goes to internal hosts only',
      given: { baggage: { header: 'tenant=acme,user=bob', direction: 'outbound', destination: 'api.partner.example' } },
      expect: { baggage: { tenant: null, user: null } },
    },
    {
      name: 'baggage is forwarded inside the cluster',
      given: { baggage: { header: 'tenant=acme', direction: 'outbound', destination: 'orders.shop.svc.cluster.local:8080' } },
      expect: { baggage: { tenant: 'acme' } },
    },
  ],
});

let compiled: CompiledRules | undefined;

/** STRICT_DEFAULT_RULES compiled, once. */
export function strictDefaultRules(): CompiledRules {
  compiled ??= compileRules(STRICT_DEFAULT_RULES, { source: 'strict default (built in)' });
  return compiled;
}
