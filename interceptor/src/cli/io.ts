// What a command of the `threadline` command line may touch of the outside world. Commands take
// it as a parameter instead of using `process` directly, so they run the same in-process (tests)
// and as the real command.

/** Somewhere text goes: process.stdout, process.stderr, or a buffer in tests. */
export interface CliWriter {
  write(text: string): void;
  /** True when the writer is a terminal; colours are used only then. */
  readonly isTTY?: boolean;
}

export interface CliIo {
  stdout: CliWriter;
  stderr: CliWriter;
  /** Environment variables (`${VAR}` references in files, HMAC keys, NO_COLOR). */
  env: NodeJS.ProcessEnv;
  /** Directory that relative file arguments are resolved against. */
  cwd: string;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** The rules or the config are invalid, a rule test failed, or a file could not be read. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: unknown command or option, missing argument. */
export const EXIT_USAGE = 2;

/** The real process's streams, environment and working directory. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}
