// ACCEPTANCE 2: every traceparent and tracestate case of the W3C Trace Context conformance suite,
// sent through the interceptor: the header fields go to the proxy exactly as the suite lists
// them (repeated fields stay separate on the wire), and what the upstream receives is checked as
// the suite's harness checks a service's outgoing call. Each proxied request is its own span, so
// the suite's "three outgoing calls" are three requests through the proxy.
import * as http from 'node:http';
import { describeTraceContextSuite } from '../../connectors/test/propagation/support/trace-context-suite';
import type { HeaderField, OutgoingHeaders, Transport } from '../../connectors/test/propagation/support/service-hop';
import { Interceptor } from '../../interceptor/src/interceptor';
import { TempFolder, startUpstream } from '../../interceptor/test/proxy/support';

const TRACE_FIELDS = /^(traceparent|tracestate)$/i;

async function proxyTransport(): Promise<Transport> {
  const folder = new TempFolder();
  const upstream = await startUpstream((_request, response) => response.end());
  const file = folder.write({
    listen: { port: 0 },
    routes: [{ name: 'service', path: '/', upstream: upstream.url }],
    // Spans are not under test here; the proxy still decides, creates and propagates them.
    exporter: { enabled: false },
    sampling: { inbound: { maxSampledPerSecond: 100000 } },
    admin: { enabled: false },
    accessLog: { enabled: false },
  });
  const interceptor = new Interceptor({ file, env: {} });
  const { port } = await interceptor.listen();
  const agent = new http.Agent({ keepAlive: true });

  const send = (fields: readonly HeaderField[], index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const raw: string[] = ['host', `127.0.0.1:${port}`, 'x-call', String(index)];
      for (const [name, value] of fields) raw.push(name, value);
      const request = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/hop', agent, headers: raw }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`proxy answered ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end();
    });

  return {
    name: 'the interceptor proxy',
    async hop(fields, count = 1) {
      upstream.requests.length = 0;
      for (let index = 0; index < count; index++) await send(fields, index);
      return upstream.requests.map((request) => {
        const outgoing: OutgoingHeaders = {};
        for (let index = 0; index < request.rawHeaders.length; index += 2) {
          const name = request.rawHeaders[index]!;
          if (!TRACE_FIELDS.test(name)) continue;
          const key = name.toLowerCase();
          outgoing[key] = outgoing[key] === undefined ? request.rawHeaders[index + 1]! : `${outgoing[key]},${request.rawHeaders[index + 1]!}`;
        }
        return outgoing;
      });
    },
    async close() {
      agent.destroy();
      await interceptor.close(1000);
      await upstream.close();
      folder.remove();
    },
  };
}

describeTraceContextSuite('the interceptor proxy', proxyTransport);
