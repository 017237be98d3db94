// `threadline collector`: runs the built-in collector (OTLP receiver, trace store, viewer, audit)
// until SIGINT or SIGTERM, then stops listening, writes the persistence file, forwards what is
// queued and exits 0. Progress and the URLs go to stderr.
import { CollectorConfigError, DEFAULT_COLLECTOR_HOST, DEFAULT_COLLECTOR_PORT, DEFAULT_MAX_SPANS, parseDuration, startCollector, type Collector, type CollectorOptions } from '@threadline/collector';
import { resolve } from 'node:path';
import { UsageError, type CliCommand, type ParsedCommandLine } from './command';
import { PROGRAM } from './help';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io';

/** The process signals the command stops on (process itself, or a stand-in in tests). */
export interface CollectorSignals {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface CollectorCommandOptions {
  signals?: CollectorSignals;
  onStarted?: (collector: Collector) => void;
}

const COMMAND_PATH = ['collector'];
export const TOKEN_VARIABLE = 'THREADLINE_COLLECTOR_TOKEN';

function stringValue(args: ParsedCommandLine, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

function wholeNumber(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new UsageError(`--${option}: "${text}" is not a whole number from ${min} to ${max}`, COMMAND_PATH);
  return value;
}

function duration(text: string, option: string): number {
  try {
    return parseDuration(text, `--${option}`);
  } catch (error) {
    throw new UsageError((error as Error).message, COMMAND_PATH);
  }
}

/** Collector options from the command line (throws UsageError naming the option). */
export function collectorOptionsFrom(args: ParsedCommandLine, io: CliIo): CollectorOptions {
  const options: CollectorOptions = {};
  const port = stringValue(args, 'port');
  options.port = port === undefined ? DEFAULT_COLLECTOR_PORT : wholeNumber(port, 'port', 0, 65535);
  options.host = stringValue(args, 'host') ?? DEFAULT_COLLECTOR_HOST;
  const token = stringValue(args, 'token') ?? io.env[TOKEN_VARIABLE];
  if (token !== undefined && token !== '') options.token = token;
  const maxSpans = stringValue(args, 'max-spans');
  if (maxSpans !== undefined) options.maxSpans = wholeNumber(maxSpans, 'max-spans', 1, 10_000_000);
  const maxAge = stringValue(args, 'max-age');
  if (maxAge !== undefined) options.maxAgeMs = duration(maxAge, 'max-age');
  const settle = stringValue(args, 'settle');
  if (settle !== undefined) options.settleMs = duration(settle, 'settle');
  const persist = stringValue(args, 'persist');
  if (persist !== undefined) options.persistFile = resolve(io.cwd, persist);
  const forward = stringValue(args, 'forward');
  if (forward !== undefined) options.forwardUrl = forward;
  return options;
}

export const collectorCommand: CliCommand = {
  kind: 'command',
  name: 'collector',
  summary: 'run the built-in collector: OTLP receiver, trace viewer and completeness audit',
  description: [
    'Receives OTLP/HTTP trace exports (JSON or protobuf, gzip) on /v1/traces, keeps recent traces in',
    'memory (optionally in a file), serves the trace viewer on / and the query API under /api, the',
    'completeness audit at /api/audit and Prometheus metrics at /metrics (see docs/collector.md).',
    `Binds 127.0.0.1 unless --host says otherwise; any other address needs --token (or ${TOKEN_VARIABLE}).`,
    'SIGINT and SIGTERM stop it cleanly. Exit codes: 0 stopped, 1 cannot start, 2 wrong command line.',
  ].join('\n'),
  positionals: [],
  options: {
    port: { type: 'string', valueName: 'N', description: `port to listen on (default ${DEFAULT_COLLECTOR_PORT}, 0 = any free port)` },
    host: { type: 'string', valueName: 'HOST', description: `address to bind (default ${DEFAULT_COLLECTOR_HOST})` },
    token: { type: 'string', valueName: 'TOKEN', description: `Bearer token required on every request (default: $${TOKEN_VARIABLE})` },
    'max-spans': { type: 'string', valueName: 'N', description: `keep at most N spans, evicting the oldest whole traces (default ${DEFAULT_MAX_SPANS})` },
    'max-age': { type: 'string', valueName: 'DURATION', description: 'evict traces whose last span is older than this (default 1h)' },
    settle: { type: 'string', valueName: 'DURATION', description: 'judge a trace once no span arrived for this long (default 2s)' },
    persist: { type: 'string', valueName: 'FILE', description: 'keep the store in this JSON-lines file across restarts' },
    forward: { type: 'string', valueName: 'URL', description: 'also send everything received to this OTLP/HTTP traces endpoint' },
  },
  examples: ['collector', 'collector --port 4318 --persist traces.jsonl --max-age 2h', 'collector --forward http://otel-collector:4318/v1/traces'],
  run: (args, io) => runCollectorCommand(args, io),
};

export async function runCollectorCommand(args: ParsedCommandLine, io: CliIo, commandOptions: CollectorCommandOptions = {}): Promise<number> {
  const options = collectorOptionsFrom(args, io);
  const say = (line: string): void => io.stderr.write(`${line}\n`);
  options.onError = (message) => say(`${PROGRAM} collector: ${message}`);
  if (options.persistFile !== undefined) say(`${PROGRAM} collector: loading ${options.persistFile}`);
  let collector: Collector;
  try {
    collector = await startCollector(options);
  } catch (error) {
    const reason = error instanceof CollectorConfigError ? error.message : `cannot start: ${error instanceof Error ? error.message : String(error)}`;
    say(`${PROGRAM} collector: ${reason}`);
    return EXIT_FAILURE;
  }
  const stats = collector.stats();
  if (stats.persistence !== undefined) {
    say(`${PROGRAM} collector: kept ${collector.store.spanCount} spans in ${collector.store.traceCount} traces from ${stats.persistence.file}${stats.persistence.skippedLines > 0 ? ` (${stats.persistence.skippedLines} unreadable lines skipped)` : ''}`);
  }
  say(`${PROGRAM} collector: listening on ${collector.url}`);
  say(`  OTLP/HTTP traces  ${collector.tracesUrl}`);
  say(`  trace viewer      ${collector.url}/`);
  say(`  audit             ${collector.url}/api/audit   metrics ${collector.url}/metrics`);
  if (stats.forwarding !== undefined) say(`  forwarding to     ${stats.forwarding.url}`);
  say(`  retention         ${collector.store.maxSpans} spans, ${Math.round(collector.store.maxAgeMs / 1000)} s${options.token === undefined ? '' : '; token required'}`);
  commandOptions.onStarted?.(collector);

  const signals = commandOptions.signals ?? process;
  await new Promise<void>((stopped) => {
    const stop = (): void => {
      signals.off('SIGTERM', stop);
      signals.off('SIGINT', stop);
      say(`${PROGRAM} collector: stopping`);
      void collector.close().then(() => stopped());
    };
    signals.on('SIGTERM', stop);
    signals.on('SIGINT', stop);
  });
  const final = collector.stats();
  say(`${PROGRAM} collector: stopped (${final.received} spans received, ${final.duplicates} duplicates, ${final.spans} spans in store)`);
  return EXIT_OK;
}
