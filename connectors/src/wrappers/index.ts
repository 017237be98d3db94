// Public API of the wrappers ("connectors") for axios, fetch, express and message headers.

export type { TracingSeams, ParentContext, PerCallTracing } from './types';
export { resolveParentContext } from './parent';
export { instrumentAxios } from './axios';
export type { AxiosInstrumentation, AxiosWrapperOptions } from './axios';
export { createTracedFetch } from './fetch';
export type { BaseFetch, FetchInput, FetchWrapperOptions, TracedFetch, TracedRequestInit } from './fetch';
export { routeTemplate, threadlineMiddleware } from './express';
export type { ExpressMiddlewareOptions, RequestTracing } from './express';
export {
  extractMessageContext,
  injectMessageContext,
  startConsumerSpan,
  startProducerSpan,
} from './messages';
export type { ConsumerSpanInfo, MessageCarrier, MessageSpan, ProducerSpanInfo } from './messages';
