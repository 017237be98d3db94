import { FakeExecuteFunctions, TEST_CREDENTIALS } from './support/fake-execute-functions';
import { exportedSpans, runNode } from './support/run-node';
import { traceOf, tracedItem } from './support/traced-item';

describe('Set / Read / Remove Baggage', () => {
  it('sets members (percent-encoding values), reads them back and removes them; no span is sent', async () => {
    const setFake = new FakeExecuteFunctions({
      items: [tracedItem()],
      parameters: { operation: 'setBaggage', baggageEntries: { entry: [{ key: 'plan', value: 'gold tier' }, { key: 'tenant', value: 'globex' }] } },
    });
    const [set] = await runNode(setFake);
    expect(traceOf(set).baggage).toBe('tenant=globex,plan=gold%20tier');
    expect(exportedSpans(setFake)).toHaveLength(0);
    expect(setFake.requests).toHaveLength(0);

    const [read] = await runNode(new FakeExecuteFunctions({ items: [set], parameters: { operation: 'readBaggage', outputField: 'members' } }));
    expect(read.json.members).toEqual({ tenant: 'globex', plan: 'gold tier' });

    const [removed] = await runNode(new FakeExecuteFunctions({ items: [set], parameters: { operation: 'removeBaggage', removeAll: false, keys: 'plan, unknown' } }));
    expect(traceOf(removed).baggage).toBe('tenant=globex');
    const [cleared] = await runNode(new FakeExecuteFunctions({ items: [set], parameters: { operation: 'removeBaggage', removeAll: true } }));
    expect(traceOf(cleared).baggage).toBeUndefined();
  });

  it('refuses keys the rules do not accept and keys that are not tokens, naming the item', async () => {
    const notAccepted = new FakeExecuteFunctions({
      items: [tracedItem()],
      parameters: { operation: 'setBaggage', baggageEntries: { entry: [{ key: 'user.email', value: 'x' }] } },
      credentials: { ...TEST_CREDENTIALS, baggageAccept: 'tenant, plan' },
    });
    await expect(runNode(notAccepted)).rejects.toMatchObject({ message: 'Baggage key "user.email" is not allowed by the baggage rules', context: { itemIndex: 0 } });

    const invalid = new FakeExecuteFunctions({ items: [tracedItem()], parameters: { operation: 'setBaggage', baggageEntries: { entry: [{ key: 'bad key', value: 'x' }] } } });
    await expect(runNode(invalid)).rejects.toThrow(/"bad key" is not a valid baggage key/);
  });

  it('refuses baggage past the W3C size limit', async () => {
    const fake = new FakeExecuteFunctions({
      items: [tracedItem()],
      parameters: { operation: 'setBaggage', baggageEntries: { entry: [{ key: 'blob', value: 'x'.repeat(9000) }] } },
    });
    await expect(runNode(fake)).rejects.toThrow('Baggage member "blob" does not fit: W3C Baggage allows 64 members and 8192 bytes');
  });
});
