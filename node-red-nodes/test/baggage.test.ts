import baggage from '../src/nodes/baggage';
import { MSG_PROPERTY } from '../src/message-context';
import { helper, nextError, nextMessage, nextStatus } from './support/flow-harness';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function run(settings: Record<string, unknown>, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  await helper.load([baggage], [
    { id: 'b', type: 'threadline-baggage', wires: [['out']], ...settings },
    { id: 'out', type: 'helper' },
  ]);
  const received = nextMessage('out');
  helper.getNode('b').receive(msg);
  return received;
}

const traced = (value?: string): Record<string, unknown> => ({ threadline: { traceparent: CALLER, ...(value === undefined ? {} : { baggage: value }) } });
const baggageOf = (msg: Record<string, unknown>): string | undefined => (msg[MSG_PROPERTY] as { baggage?: string }).baggage;

describe('baggage node', () => {
  afterEach(() => helper.unload());

  it('sets an entry from the form or from the message, percent-encoding the value', async () => {
    expect(baggageOf(await run({ operation: 'set', key: 'tenant', value: 'acme corp' }, traced('a=1')))).toBe('a=1,tenant=acme%20corp');
    await helper.unload();
    expect(baggageOf(await run({ operation: 'set', key: 'n', value: 'payload.count', valueType: 'msg' }, { ...traced(), payload: { count: 3 } }))).toBe('n=3');
  });

  it('reads one entry or all of them into a property', async () => {
    expect((await run({ operation: 'get', key: 'tenant', property: 'who' }, traced('tenant=acme%20corp,x=1'))).who).toBe('acme corp');
    await helper.unload();
    expect((await run({ operation: 'get', key: '' }, traced('tenant=acme,x=1'))).baggage).toEqual({ tenant: 'acme', x: '1' });
  });

  it('removes one entry or all of them', async () => {
    expect(baggageOf(await run({ operation: 'remove', key: 'x' }, traced('tenant=acme,x=1')))).toBe('tenant=acme');
    await helper.unload();
    expect(baggageOf(await run({ operation: 'clear' }, traced('tenant=acme,x=1')))).toBeUndefined();
  });

  it('shows the short trace id in its status', async () => {
    await helper.load([baggage], [{ id: 'b', type: 'threadline-baggage', operation: 'set', key: 'k', value: 'v', wires: [[]] }]);
    const status = nextStatus('b');
    helper.getNode('b').receive(traced());
    expect((await status).text).toMatch(/^4bf92f35 · /);
  });

  it.each([
    [{ operation: 'set', key: 'bad key', value: 'v' }, traced(), /key "bad key" is not a valid baggage key/],
    [{ operation: 'set', key: 'k', value: 'v' }, {}, /carries no trace/],
    [{ operation: 'set', key: 'big', value: 'x'.repeat(9000) }, traced(), /"big" does not fit: .* 8192 bytes/],
    [{ operation: 'set', key: 'k', value: 'payload', valueType: 'msg' }, { ...traced(), payload: { a: 1 } }, /msg.payload must be a string/],
  ])('refuses %j with a clear error and passes the message on', async (settings, msg, pattern) => {
    await helper.load([baggage], [
      { id: 'b', type: 'threadline-baggage', wires: [['out']], ...settings },
      { id: 'out', type: 'helper' },
    ]);
    const error = nextError('b');
    const received = nextMessage('out');
    helper.getNode('b').receive(msg);
    await received;
    expect(await error).toMatch(pattern);
  });
});
