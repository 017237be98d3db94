// The test receiver decodes with the collector's own OTLP decoder: one decoder in the repository.
export * from '../../collector/src/otlp/decode';
