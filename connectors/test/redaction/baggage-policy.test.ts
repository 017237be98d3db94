import { propagation } from '@opentelemetry/api';
import { parseBaggage, serializeBaggage } from '../../src/propagation';
import { ConfigError } from '../../src/config';
import { BaggagePolicy, strictDefaultRules } from '../../src/redaction';
import { redactAttributes, rules } from './support';

const header = 'tenant=acme,user.id=42,session=s3cr3t,partner.ref=p-9';
const baggage = () => parseBaggage(header)!;
const keys = (value: { getAllEntries(): [string, unknown][] }) => value.getAllEntries().map(([key]) => key);

describe('BaggagePolicy', () => {
  const policy = rules({
    baggage: {
      accept: ['tenant', 'user.*', 'partner.*'],
      internalHosts: ['*.svc.cluster.local', '10.0.0.0/8', 'localhost'],
      forward: [
        { keys: ['tenant', 'user.*'], to: 'internal' },
        { keys: ['tenant'], to: 'any' },
        { keys: ['partner.ref'], hosts: ['api.partner.example'] },
      ],
      copyToSpans: ['tenant', 'user.id'],
    },
  }).baggage;

  test('inbound: only accepted keys stay', () => {
    expect(keys(policy.filterInbound(baggage()))).toEqual(['tenant', 'user.id', 'partner.ref']);
  });

  test('outbound to an internal host: keys forwarded internally', () => {
    expect(keys(policy.filterOutbound(baggage(), 'orders.shop.svc.cluster.local:8080'))).toEqual(['tenant', 'user.id']);
    expect(keys(policy.filterOutbound(baggage(), '10.2.3.4'))).toEqual(['tenant', 'user.id']);
    expect(keys(policy.filterOutbound(baggage(), 'http://localhost:3000/x'))).toEqual(['tenant', 'user.id']);
  });

  test('outbound to an external host: only keys a rule sends there', () => {
    expect(keys(policy.filterOutbound(baggage(), 'api.partner.example'))).toEqual(['tenant', 'partner.ref']);
    expect(keys(policy.filterOutbound(baggage(), 'evil.example'))).toEqual(['tenant']);
    expect(keys(policy.filterOutbound(baggage(), '11.0.0.1'))).toEqual(['tenant']);
  });

  test('the filtered baggage serializes as W3C baggage without the stripped members', () => {
    expect(serializeBaggage(policy.filterOutbound(baggage(), 'evil.example'))).toBe('tenant=acme');
  });

  test('copied onto spans as baggage.<key>, then redacted like any attribute', () => {
    expect(policy.spanAttributes(baggage())).toEqual({ 'baggage.tenant': 'acme', 'baggage.user.id': '42' });
    const withEmail = parseBaggage('tenant=bob%40example.com')!;
    const compiled = rules({ baggage: { copyToSpans: ['*'] }, detectors: { email: true } });
    expect(redactAttributes(compiled, compiled.baggage.spanAttributes(withEmail))).toEqual({ 'baggage.tenant': 'REDACTED' });
  });

  test('works on any OpenTelemetry Baggage, not only the codec’s', () => {
    const otel = propagation.createBaggage({ tenant: { value: 'acme' }, other: { value: 'x' } });
    expect(keys(policy.filterInbound(otel))).toEqual(['tenant']);
  });

  test('no baggage rules: everything is stripped everywhere, nothing copied', () => {
    const none = new BaggagePolicy(undefined);
    expect(keys(none.filterInbound(baggage()))).toEqual([]);
    expect(keys(none.filterOutbound(baggage(), 'localhost'))).toEqual([]);
    expect(none.spanAttributes(baggage())).toEqual({});
  });

  test('the strict default keeps baggage inside and strips it toward anything external', () => {
    const strict = strictDefaultRules().baggage;
    expect(keys(strict.filterInbound(baggage()))).toEqual(['tenant', 'user.id', 'session', 'partner.ref']);
    expect(keys(strict.filterOutbound(baggage(), '192.168.1.10'))).toHaveLength(4);
    expect(keys(strict.filterOutbound(baggage(), '[::1]:8080'))).toHaveLength(4);
    expect(keys(strict.filterOutbound(baggage(), 'api.stripe.com'))).toEqual([]);
    expect(keys(strict.filterOutbound(baggage(), '172.32.0.1'))).toEqual([]);
    expect(strict.spanAttributes(baggage())).toEqual({});
  });

  test('an invalid CIDR block is a rules error with its path', () => {
    expect(() => rules({ baggage: { internalHosts: ['10.0.0.0/40'] } })).toThrow(ConfigError);
    expect(() => rules({ baggage: { internalHosts: ['10.0.0.0/40'] } })).toThrow(/baggage\.internalHosts\[0\]: is not a valid IPv4 CIDR block/);
  });
});
