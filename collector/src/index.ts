// Public surface of the built-in collector.
export * from './otlp/decode';
