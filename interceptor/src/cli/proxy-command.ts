// `threadline proxy --config FILE`: runs the tracing proxy and its admin surface until SIGTERM or
// SIGINT (stop accepting, drain in-flight requests up to shutdown.drainTimeoutMillis, flush spans,
// exit 0). SIGHUP reloads the configuration; a bad file is refused and the running one stays.
// Access-log lines go to stdout (unless the config sends them elsewhere), everything else to stderr.
import { resolve } from 'node:path';
import { ConfigError } from '@threadline/connectors';
import { createAdminServer, type AdminServer } from '../admin';
import { startInterceptor, type Interceptor } from '../interceptor';
import { ProxyMetrics } from '../metrics';
import { tuneRuntimeForProxy } from '../runtime-tuning';
import { parseCommandLine, UsageError, type CliCommand } from './command';
import { formatHelp, PROGRAM } from './help';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from './io';

/** The process signals the command reacts to (process itself, or a stand-in in tests). */
export interface ProxySignals {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ProxyCommandOptions {
  /** Default: the process. */
  signals?: ProxySignals;
  /** Called once the proxy listens (tests use it instead of parsing stderr). */
  onStarted?: (interceptor: Interceptor, admin: AdminServer | undefined) => void;
}

const COMMAND_PATH = ['proxy'];

export const proxyCommandDefinition: CliCommand = {
  kind: 'command',
  name: 'proxy',
  summary: 'run the tracing proxy (--config FILE)',
  description: [
    'Runs the Threadline interceptor: a tracing proxy in front of a low-code platform (ingress routes)',
    'and on its outbound path (egress routes, forward proxy). The configuration file is YAML or JSON,',
    'validated against schemas/interceptor-config.schema.json; OTEL_* variables fill the telemetry',
    'fields it leaves out.',
    '',
    'Signals: SIGHUP reloads the configuration (a bad file is refused, the running one stays);',
    'SIGTERM and SIGINT stop accepting, let in-flight requests finish (shutdown.drainTimeoutMillis),',
    'flush spans and exit 0. Access-log lines go to stdout, messages to stderr.',
    'Exit codes: 0 stopped cleanly, 1 invalid configuration or cannot listen, 2 wrong command line.',
  ].join('\n'),
  positionals: [],
  options: {
    config: { type: 'string', short: 'c', valueName: 'FILE', description: 'the interceptor configuration file (YAML or JSON)', required: true },
  },
  examples: ['proxy --config interceptor.yaml', 'proxy -c samples/interceptor/interceptor.yaml'],
  run: (args, io) => runProxyCommand(args.values.config === undefined ? [] : ['--config', String(args.values.config)], io),
};

export async function runProxyCommand(argv: string[], io: CliIo, options: ProxyCommandOptions = {}): Promise<number> {
  let file: string;
  try {
    const parsed = parseCommandLine(proxyCommandDefinition, argv, COMMAND_PATH);
    if (parsed === undefined) {
      io.stdout.write(formatHelp(proxyCommandDefinition, COMMAND_PATH));
      return EXIT_OK;
    }
    file = resolve(io.cwd, String(parsed.values.config));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${PROGRAM} proxy: ${error.message}\n\n${formatHelp(proxyCommandDefinition, COMMAND_PATH)}`);
    return EXIT_USAGE;
  }

  const say = (line: string): void => io.stderr.write(`${line}\n`);
  tuneRuntimeForProxy();
  const metrics = new ProxyMetrics();
  let interceptor: Interceptor;
  try {
    interceptor = await startInterceptor({ file, env: io.env, observer: metrics, log: say, stdout: io.stdout, stderr: io.stderr });
  } catch (error) {
    say(error instanceof ConfigError ? error.message : `${PROGRAM} proxy: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }

  const config = interceptor.config;
  let admin: AdminServer | undefined;
  if (config.admin.enabled && config.admin.token !== undefined) {
    try {
      admin = await createAdminServer({ control: interceptor, metrics, host: config.admin.host, port: config.admin.port, token: config.admin.token, onError: (error) => say(`${PROGRAM} proxy: admin server: ${error.message}`) });
    } catch (error) {
      say(`${PROGRAM} proxy: cannot start: ${error instanceof Error ? error.message : String(error)}`);
      await interceptor.close(0);
      return EXIT_FAILURE;
    }
  }

  const { address, port } = interceptor.address;
  const host = address.includes(':') ? `[${address}]` : address;
  const routes = config.routes.length === 1 ? '1 route' : `${config.routes.length} routes`;
  say(`${PROGRAM} proxy: listening on http://${host}:${port} (${routes}, forward proxy ${config.forwardProxy.enabled ? 'on' : 'off'})${admin ? `, admin on ${admin.url}` : ''}`);
  options.onStarted?.(interceptor, admin);

  const signals = options.signals ?? process;
  await new Promise<void>((stopped) => {
    const reload = (): void => {
      void interceptor.reload().then((result) => {
        if (result.ok) say(`${PROGRAM} proxy: configuration reloaded from ${file}`);
      });
    };
    const stop = (): void => {
      signals.off('SIGHUP', reload);
      signals.off('SIGTERM', stop);
      signals.off('SIGINT', stop);
      say(`${PROGRAM} proxy: stopping; in-flight requests have ${config.shutdown.drainTimeoutMillis} ms to finish`);
      // The admin surface stays up while draining, so /readyz says "not ready" meanwhile.
      void interceptor
        .close()
        .then(() => admin?.close())
        .then(() => stopped());
    };
    signals.on('SIGHUP', reload);
    signals.on('SIGTERM', stop);
    signals.on('SIGINT', stop);
  });
  const stats = interceptor.pipelineStats();
  say(`${PROGRAM} proxy: stopped (spans exported ${stats.exported}, dropped ${stats.dropped}, failed ${stats.failed})`);
  return EXIT_OK;
}
