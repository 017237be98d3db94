#!/usr/bin/env node
// The `threadline` command line: admin tooling for rules files and the tracing proxy.
import { checkCommand } from './check-command';
import { collectorCommand } from './collector-command';
import type { CliCommandGroup, CliPassthroughCommand } from './command';
import { dispatch } from './dispatch';
import { processIo, type CliIo } from './io';
import { runProxyCommand } from './proxy-command';
import { rulesCommands } from './rules/rules-commands';
import { packageVersion } from './version';

// The proxy parses its own options (see proxy-command.ts), so it gets its arguments as they are.
const proxyCommand: CliPassthroughCommand = {
  kind: 'passthrough',
  name: 'proxy',
  summary: 'run the tracing proxy (--config FILE)',
  run: (argv, io) => runProxyCommand(argv, io),
};

export const threadlineCommands: CliCommandGroup = {
  kind: 'group',
  name: 'threadline',
  summary: 'Threadline: one W3C trace through systems built partly in low-code tools.',
  description:
    'Validate, explain and test redaction and baggage rules, run the tracing proxy and the built-in collector,\nand check that a request arrives as one complete trace (a failed check is a failed test).\nExit codes: 0 ok, 1 invalid rules or failed tests, 2 wrong command line.',
  commands: [rulesCommands, proxyCommand, collectorCommand, checkCommand],
};

/** Runs the command line with `argv` (without node and the script) and returns the exit code. */
export function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  return dispatch(threadlineCommands, argv, io, { version: packageVersion() });
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    // exitCode rather than exit(): lets stdout drain when it is a pipe.
    process.exitCode = code;
  });
}
