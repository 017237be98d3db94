import { buildResource } from '../../src/pipeline/resource';

describe('buildResource (enrich)', () => {
  test('service fields under their semantic-convention names, on top of the SDK defaults', () => {
    const resource = buildResource({ name: 'orders', version: '1.2.3', namespace: 'shop', environment: 'production', attributes: { 'cloud.region': 'eu-west-1' } });
    expect(resource.attributes).toMatchObject({
      'service.name': 'orders',
      'service.version': '1.2.3',
      'service.namespace': 'shop',
      'deployment.environment.name': 'production',
      'cloud.region': 'eu-west-1',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
    });
    expect(typeof resource.attributes['telemetry.sdk.version']).toBe('string');
  });

  test('optional fields are left out when not configured', () => {
    const resource = buildResource({ name: 'minimal', attributes: {} });
    expect(resource.attributes['service.name']).toBe('minimal');
    expect(resource.attributes).not.toHaveProperty('service.version');
    expect(resource.attributes).not.toHaveProperty('deployment.environment.name');
  });

  test('the named fields win over the same key among the extra attributes', () => {
    const resource = buildResource({ name: 'named', version: '2', attributes: { 'service.name': 'from-attributes', 'service.version': '1' } });
    expect(resource.attributes['service.name']).toBe('named');
    expect(resource.attributes['service.version']).toBe('2');
  });
});
