// Walks the command tree: finds the command named by the leading words of argv, prints help where
// asked, turns usage mistakes into exit code 2 with the help of the command concerned.
import { parseCommandLine, UsageError, type CliCommandGroup, type CliEntry } from './command';
import { formatHelp, PROGRAM } from './help';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from './io';

export interface DispatchOptions {
  /** Printed for `--version` at the top level. */
  version: string;
}

export async function dispatch(root: CliCommandGroup, argv: string[], io: CliIo, options: DispatchOptions): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${PROGRAM} ${options.version}\n`);
    return EXIT_OK;
  }
  let entry: CliEntry = root;
  const commandPath: string[] = [];
  let rest = argv;
  try {
    while (entry.kind === 'group') {
      const group: CliCommandGroup = entry;
      const [word, ...after] = rest;
      if (word === '--help' || word === '-h') {
        io.stdout.write(formatHelp(group, commandPath));
        return EXIT_OK;
      }
      if (word === undefined) throw new UsageError(`missing command`, commandPath);
      if (word.startsWith('-')) throw new UsageError(`unknown option '${word}'`, commandPath);
      const next = group.commands.find((candidate) => candidate.name === word);
      if (next === undefined) throw new UsageError(`unknown command '${word}'${suggestion(word, group)}`, commandPath);
      entry = next;
      commandPath.push(word);
      rest = after;
    }
    if (entry.kind === 'passthrough') return await entry.run(rest, io);
    const parsed = parseCommandLine(entry, rest, commandPath);
    if (parsed === undefined) {
      io.stdout.write(formatHelp(entry, commandPath));
      return EXIT_OK;
    }
    return await entry.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const failed = findEntry(root, error.commandPath);
      io.stderr.write(`${[PROGRAM, ...error.commandPath].join(' ')}: ${error.message}\n\n${formatHelp(failed, error.commandPath)}`);
      return EXIT_USAGE;
    }
    // A bug, not a user mistake: say so plainly rather than print a bare stack.
    io.stderr.write(`${[PROGRAM, ...commandPath].join(' ')}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

function findEntry(root: CliCommandGroup, commandPath: readonly string[]): CliEntry {
  let entry: CliEntry = root;
  for (const word of commandPath) {
    if (entry.kind !== 'group') break;
    entry = entry.commands.find((candidate) => candidate.name === word) ?? entry;
  }
  return entry;
}

/** " (did you mean 'validate'?)" for a near miss: a prefix, or one or two letters off. */
function suggestion(word: string, group: CliCommandGroup): string {
  const near = group.commands.find((entry) => entry.name.startsWith(word) || editDistance(word, entry.name) <= 2);
  return near === undefined ? '' : ` (did you mean '${near.name}'?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
