import { ConfigError } from '../../src/config';
import { HASH_PREFIX, type RedactionRules, type RuleAction } from '../../src/redaction';
import { redactAttributes, rules } from './support';

const KEY_ENV = { REDACTION_KEY: 'k'.repeat(32) };

function withAction(action: RuleAction): RedactionRules {
  return { attributes: { rules: [{ name: 'the rule', keys: ['subject'], action }] }, hashing: { keyEnv: 'REDACTION_KEY' } };
}

function apply(document: RedactionRules, value: unknown, env: Record<string, string> = KEY_ENV): unknown {
  return redactAttributes(rules(document, { env }), { subject: value, other: 'kept' }).subject;
}

describe('actions', () => {
  test('drop removes the attribute, and only it', () => {
    const attributes = redactAttributes(rules(withAction('drop'), { env: KEY_ENV }), { subject: 'x', other: 'kept' });
    expect(attributes).toEqual({ other: 'kept' });
  });

  test('replace: REDACTED by default, or the given text', () => {
    expect(apply(withAction('replace'), 'secret')).toBe('REDACTED');
    expect(apply(withAction({ type: 'replace', with: '[hidden]' }), 'secret')).toBe('[hidden]');
  });

  test('mask hides the length and keeps at most half of the value', () => {
    expect(apply(withAction('mask'), '4111111111111111')).toBe('****');
    expect(apply(withAction({ type: 'mask', keep: 4 }), '4111111111111111')).toBe('****1111');
    expect(apply(withAction({ type: 'mask', keep: 2, keepFrom: 'start' }), 'DE8937')).toBe('DE****');
    expect(apply(withAction({ type: 'mask', keep: 4 }), 'abc')).toBe('****c');
  });

  test('keep exports the value without detectors', () => {
    const document: RedactionRules = { ...withAction('keep'), detectors: { email: true } };
    expect(apply(document, 'bob@example.com')).toBe('bob@example.com');
  });

  test('non-string values are acted on as text; arrays element by element', () => {
    expect(apply(withAction('replace'), 42)).toBe('REDACTED');
    expect(apply(withAction({ type: 'mask', keep: 1 }), ['ab', 'cd'])).toEqual(['****b', '****d']);
  });
});

describe('hash (HMAC-SHA-256)', () => {
  test('equal values correlate, different values and different keys do not, and the value cannot be read', () => {
    const a = apply(withAction('hash'), 'bob@example.com') as string;
    const b = apply(withAction('hash'), 'bob@example.com') as string;
    const c = apply(withAction('hash'), 'alice@example.com') as string;
    const otherKey = apply(withAction('hash'), 'bob@example.com', { REDACTION_KEY: 'z'.repeat(32) });
    expect(a).toMatch(new RegExp(`^${HASH_PREFIX}[0-9a-f]{32}$`));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(otherKey).not.toBe(a);
    expect(a).not.toContain('bob');
  });

  test('hashing.length sets the digest length', () => {
    const document: RedactionRules = { ...withAction('hash'), hashing: { keyEnv: 'REDACTION_KEY', length: 64 } };
    expect(apply(document, 'x')).toMatch(/^hmac:[0-9a-f]{64}$/);
  });

  test('a missing key fails closed: the rules are refused, naming the variable', () => {
    expect(() => rules(withAction('hash'), { env: {} })).toThrow(ConfigError);
    expect(() => rules(withAction('hash'), { env: {} })).toThrow(/REDACTION_KEY is not set/);
    expect(() => rules(withAction('hash'), { env: { REDACTION_KEY: 'short' } })).toThrow(/at least 16 are needed/);
  });

  test('a hash action without hashing.keyEnv is refused at the action', () => {
    const document: RedactionRules = { detectors: { email: { action: 'hash' } } };
    try {
      rules(document, { env: KEY_ENV });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).issues).toEqual([expect.objectContaining({ path: '/detectors/email/action', field: 'detectors.email.action', message: expect.stringMatching(/hashing\.keyEnv/) })]);
    }
  });

  test('with requireHashKey false, the values are dropped instead of hashed unkeyed, with a warning', () => {
    const compiled = rules({ ...withAction('hash'), detectors: { email: { action: 'hash' } } }, { env: {}, requireHashKey: false });
    expect(compiled.warnings).toEqual([expect.stringMatching(/REDACTION_KEY is not set/)]);
    expect(redactAttributes(compiled, { subject: 'x', note: 'mail bob@example.com', other: 'kept' })).toEqual({ other: 'kept' });
  });
});
