import { readFileSync } from 'node:fs';
import { validate } from '../../src/config';
import { RULES_SCHEMA_ID, STRICT_DEFAULT_RULES, strictDefaultRules } from '../../src/redaction';
import { redact } from './support';

const schema = JSON.parse(readFileSync(require.resolve('@threadline/schemas/redaction-rules.schema.json'), 'utf8'));

describe('the rules schema', () => {
  test('has its $id, describes every property and closes every object', () => {
    expect(schema.$id).toBe(RULES_SCHEMA_ID);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}/${index}`));
      if (typeof node !== 'object' || node === null) return;
      const object = node as Record<string, unknown>;
      if (object.type === 'object' && object.additionalProperties === undefined) missing.push(`${path}: additionalProperties`);
      for (const [name, property] of Object.entries((object.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof property.description !== 'string') missing.push(`${path}/properties/${name}: description`);
      }
      for (const [key, value] of Object.entries(object)) walk(value, `${path}/${key}`);
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });
});

describe('STRICT_DEFAULT_RULES', () => {
  test('is a valid rules document, frozen, and compiles once', () => {
    expect(validate(RULES_SCHEMA_ID, STRICT_DEFAULT_RULES)).toEqual([]);
    expect(Object.isFrozen(STRICT_DEFAULT_RULES)).toBe(true);
    expect(Object.isFrozen(STRICT_DEFAULT_RULES.detectors)).toBe(true);
    expect(strictDefaultRules()).toBe(strictDefaultRules());
    expect(strictDefaultRules().document).toEqual(STRICT_DEFAULT_RULES);
  });

  test('a typical HTTP server span passes unchanged, and gets no summary', () => {
    const attributes = {
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.full': 'https://shop.example/orders/7?page=2&sort=desc',
      'url.path': '/orders/7',
      'server.address': 'shop.example',
      'client.address': '127.0.0.1',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
      'http.request.header.content-type': ['application/json'],
      'http.response.status_code': 200,
      'gen_ai.usage.input_tokens': 12,
    };
    expect(redact(strictDefaultRules(), { name: 'GET /orders/:id', kind: 'server', attributes }).attributes).toEqual(attributes);
  });
});
