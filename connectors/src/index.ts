// @threadline/connectors: strict W3C codecs, one span pipeline, config loading and the wrappers.
export * from './model';
export * from './config';
export * from './propagation';
export * from './pipeline';
export * from './redaction';
export * from './wrappers';
export * from './auth/bearer-token';
export * as httpSemconv from './semconv/http';
export * as messagingSemconv from './semconv/messaging';
export { createThreadline } from './threadline';
export type { Threadline, ThreadlineOptions } from './threadline';
