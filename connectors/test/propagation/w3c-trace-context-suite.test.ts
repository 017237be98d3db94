// ACCEPTANCE: every case of the W3C Trace Context conformance suite (see
// support/trace-context-suite.ts). Each case sends the suite's header fields to a small traced
// service that uses our propagator and checks the headers of the service's outgoing call(s), as
// the suite's harness does. Every case runs twice: on a plain header map and through a real HTTP
// request (repeated fields stay separate on the wire and are read with
// IncomingMessage.headersDistinct).
import { headerMapTransport, httpTransport } from './support/service-hop';
import { describeTraceContextSuite } from './support/trace-context-suite';

describeTraceContextSuite('header map', async () => headerMapTransport());
describeTraceContextSuite('HTTP', httpTransport);
