import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@threadline/connectors';
import { expectedStepText, loadCheckExpectation } from '../src/check/expectation';

const SAMPLES = path.join(__dirname, '..', '..', 'samples', 'check');

test('the sample expectation file is valid', () => {
  const expectation = loadCheckExpectation(path.join(SAMPLES, 'orders.expect.yaml'), {});
  expect(expectation.services).toContain('stock-api');
  expect(expectation.steps!.map(expectedStepText)).toEqual(['interceptor ingress', 'node-red › flow "Orders" › node "validate order"', 'node-red › flow "Orders" › node "reserve stock"', 'stock API']);
});

test('a wrong field is refused with its path and line', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'threadline-expect-'));
  try {
    const file = path.join(folder, 'bad.yaml');
    writeFileSync(file, 'steps:\n  - platform: zapier\n  - {}\ncomplete: "yes"\n');
    let error: unknown;
    try {
      loadCheckExpectation(file, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/bad\.yaml:2:\d+ steps\[0\]\.platform/);
    expect(message).toMatch(/steps\[1\]/);
    expect(message).toMatch(/bad\.yaml:4:\d+ complete/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
