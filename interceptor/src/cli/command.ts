// The shape of a `threadline` command and the one place its command line is parsed (node's
// util.parseArgs, strict), so every command gets the same option handling, help and usage errors.
import { parseArgs } from 'node:util';
import type { CliIo } from './io';

export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the option name for string options, e.g. 'SPAN.json'. */
  valueName?: string;
  /** One line for the help text. */
  description: string;
  /** A string option that must be given. */
  required?: boolean;
}

export interface CliPositional {
  name: string;
  description: string;
  /** Accepts one or more values (the last positional only). */
  variadic?: boolean;
}

export interface ParsedCommandLine {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** A command that does one thing, e.g. `rules validate`. */
export interface CliCommand {
  kind: 'command';
  name: string;
  /** One line for the parent's command list. */
  summary: string;
  /** Paragraphs after the usage line in the command's help. */
  description: string;
  positionals: CliPositional[];
  options: Record<string, CliOption>;
  /** Example invocations, without the program name. */
  examples?: string[];
  run(args: ParsedCommandLine, io: CliIo): Promise<number>;
}

/**
 * A command that takes its arguments as they are and parses them itself (the proxy): the
 * dispatcher hands over everything after the command's name, `--help` included.
 */
export interface CliPassthroughCommand {
  kind: 'passthrough';
  name: string;
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A command made of subcommands, e.g. `rules`. */
export interface CliCommandGroup {
  kind: 'group';
  name: string;
  summary: string;
  description: string;
  commands: CliEntry[];
}

export type CliEntry = CliCommand | CliCommandGroup | CliPassthroughCommand;

/** A mistake in the command line itself (exit code 2); `command` is the path whose help applies. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly commandPath: readonly string[]) {
    super(message);
  }
}

/** The option every command accepts. */
export const HELP_OPTION: CliOption = { type: 'boolean', short: 'h', description: 'show this help and exit' };

/**
 * Parses `argv` (everything after the command's name) against the command's options and
 * positionals. Returns undefined when help was asked for; throws UsageError otherwise.
 */
export function parseCommandLine(command: CliCommand, argv: string[], commandPath: readonly string[]): ParsedCommandLine | undefined {
  const options = { ...command.options, help: HELP_OPTION };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([name, option]) => [name, option.short === undefined ? { type: option.type } : { type: option.type, short: option.short }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(usageMessage(error), commandPath);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return undefined;
  for (const [name, option] of Object.entries(command.options)) {
    if (option.required === true && values[name] === undefined) throw new UsageError(`missing required option --${name} ${option.valueName ?? ''}`.trimEnd(), commandPath);
  }
  checkPositionals(command, parsed.positionals, commandPath);
  return { values, positionals: parsed.positionals };
}

function checkPositionals(command: CliCommand, positionals: string[], commandPath: readonly string[]): void {
  const expected = command.positionals;
  const variadic = expected.at(-1)?.variadic === true;
  if (positionals.length < expected.length) {
    throw new UsageError(`missing argument ${expected[positionals.length]!.name}`, commandPath);
  }
  if (!variadic && positionals.length > expected.length) {
    throw new UsageError(`unexpected argument '${positionals[expected.length]!}'`, commandPath);
  }
}

// parseArgs's messages mention the API ("To specify a positional argument starting with a '-'…");
// keep its first sentence, which names the option.
function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1];
    return option === undefined ? message.split('. ')[0]! : `unknown option '${option}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '-c, --config <value>' argument missing": name the long form when there is one.
    const option = /Option '(?:-\w, )?(-[^' ,]+)/.exec(message)?.[1];
    if (option !== undefined && message.includes('argument missing')) return `option '${option}' needs a value`;
    if (option !== undefined) return `option '${option}' does not take a value`;
  }
  return message.split('. ')[0]!;
}
