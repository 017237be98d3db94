// `threadline check`: a synthetic request with a fresh trace to an entry URL, judged by the trace
// the collector received (see runCheck in @threadline/collector). Exit 0 pass, 1 fail, 2 usage.
import { formatCheckResult, loadCheckExpectation, parseDuration, runCheck, type CheckExpectation } from '@threadline/collector';
import { ConfigError } from '@threadline/connectors';
import { resolve } from 'node:path';
import { UsageError, type CliCommand } from './command';
import { PROGRAM } from './help';
import { EXIT_FAILURE, EXIT_OK } from './io';
import { TOKEN_VARIABLE } from './collector-command';

const COMMAND_PATH = ['check'];

function absoluteUrl(text: string, option: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {
    // reported below
  }
  throw new UsageError(`--${option}: "${text}" is not an absolute http:// or https:// URL`, COMMAND_PATH);
}

export const checkCommand: CliCommand = {
  kind: 'command',
  name: 'check',
  summary: 'send a request with a fresh trace and check that it arrived complete at the collector',
  description: [
    'Sends one request to the entry URL with a fresh W3C trace (traceparent), waits for that trace at',
    'the collector, and reports which services and flow steps it passed and whether it arrived',
    'complete. With --expect, the trace must also pass the services and steps the file lists (YAML or',
    'JSON, schemas/check-expectation.schema.json). A failure names the step that dropped the context.',
    'Exit codes: 0 pass, 1 fail (or a bad expectation file), 2 wrong command line.',
  ].join('\n'),
  positionals: [],
  options: {
    url: { type: 'string', valueName: 'URL', description: 'the entry URL to send the request to', required: true },
    collector: { type: 'string', valueName: 'URL', description: 'the collector, e.g. http://127.0.0.1:4318', required: true },
    expect: { type: 'string', valueName: 'FILE', description: 'expectation file (YAML or JSON)' },
    timeout: { type: 'string', valueName: 'DURATION', description: 'how long to wait for the trace (default 15s)' },
    token: { type: 'string', valueName: 'TOKEN', description: `the collector's Bearer token (default: $${TOKEN_VARIABLE})` },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  examples: ['check --url http://127.0.0.1:8080/api/orders --collector http://127.0.0.1:4318 --expect samples/check/demo.expect.yaml'],
  async run(args, io) {
    const url = absoluteUrl(String(args.values.url), 'url');
    const collectorUrl = absoluteUrl(String(args.values.collector), 'collector');
    let timeoutMs = 15_000;
    if (typeof args.values.timeout === 'string') {
      try {
        timeoutMs = parseDuration(args.values.timeout, '--timeout');
      } catch (error) {
        throw new UsageError((error as Error).message, COMMAND_PATH);
      }
    }
    let expectation: CheckExpectation | undefined;
    if (typeof args.values.expect === 'string') {
      try {
        expectation = loadCheckExpectation(resolve(io.cwd, args.values.expect), io.env);
      } catch (error) {
        io.stderr.write(`${PROGRAM} check: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
        return EXIT_FAILURE;
      }
    }
    const token = typeof args.values.token === 'string' ? args.values.token : io.env[TOKEN_VARIABLE];
    const result = await runCheck({
      url,
      collectorUrl,
      timeoutMs,
      ...(token === undefined || token === '' ? {} : { token }),
      ...(expectation === undefined ? {} : { expectation }),
      onProgress: (line) => io.stderr.write(`${PROGRAM} check: ${line}\n`),
    });
    io.stdout.write(args.values.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatCheckResult(result));
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
