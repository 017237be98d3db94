import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseConfigText, validate } from '../../src/config';

const samples = join(__dirname, '..', '..', '..', 'samples', 'config');
const files = readdirSync(samples).filter((name) => /\.(ya?ml|json)$/.test(name));

describe('samples/config', () => {
  it('holds the documented samples', () => {
    expect(files).toEqual(expect.arrayContaining(['threadline.yaml', 'minimal.yaml']));
  });

  it.each(files)('%s validates against the schema and loads', (name) => {
    const file = join(samples, name);
    const input = parseConfigText(readFileSync(file, 'utf8'), file, { env: {} });
    expect(validate('threadline-config', input)).toEqual([]);
    const warnings: string[] = [];
    const config = loadConfig({ file, env: {}, onWarning: (warning) => warnings.push(warning.message) });
    expect(warnings).toEqual([]);
    expect(config.service.name).not.toBe('unknown_service:node');
  });

  it('threadline.yaml sets every field of the schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('@threadline/schemas/threadline-config.schema.json'), 'utf8'));
    const text = readFileSync(join(samples, 'threadline.yaml'), 'utf8');
    const env = { THREADLINE_CA_FILE: 'ca.pem', THREADLINE_CLIENT_CERT_FILE: 'c.pem', THREADLINE_CLIENT_KEY_FILE: 'k.pem', COLLECTOR_API_KEY: 'k' };
    const input = parseConfigText(text, 'threadline.yaml', { env });
    const unset: string[] = [];
    const walk = (schemaNode: Record<string, unknown>, value: unknown, path: string): void => {
      const target = typeof schemaNode.$ref === 'string' && schemaNode.$ref.startsWith('#/$defs/') ? schema.$defs[schemaNode.$ref.slice(8)] : schemaNode;
      if (typeof target.properties !== 'object') return;
      for (const [name, property] of Object.entries(target.properties as Record<string, Record<string, unknown>>)) {
        if (name === '$schema') continue;
        const child = (value as Record<string, unknown> | undefined)?.[name];
        if (child === undefined) unset.push(`${path}${name}`);
        else walk(property, child, `${path}${name}.`);
      }
    };
    walk(schema, input, '');
    expect(unset).toEqual([]);
  });

  it('threadline.yaml resolves its references', () => {
    const config = loadConfig({ file: join(samples, 'threadline.yaml'), env: { COLLECTOR_API_KEY: 'k', DEPLOY_ENV: 'prod', COLLECTOR_TRACES_URL: 'https://otel.example.com/v1/traces' } });
    expect(config.exporter.headers).toEqual({ 'x-api-key': 'k' });
    expect(config.service.environment).toBe('prod');
    expect(config.exporter.tracesEndpoint).toBe('https://otel.example.com/v1/traces');
    expect(config.exporter.tls).toEqual({});
  });
});
