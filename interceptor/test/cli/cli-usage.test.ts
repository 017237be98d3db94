// The command line itself: help on every command, version, usage errors (exit 2), the proxy slot.
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../../src/cli/io';
import { packageVersion } from '../../src/cli/version';
import { runInProcess } from './cli-harness';

describe('threadline --help and --version', () => {
  test('the top-level help lists the commands and exit codes', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await runInProcess([flag]);
      expect(run.code).toBe(EXIT_OK);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Usage: threadline <command> \[options\]/);
      expect(run.stdout).toMatch(/^ {2}rules +validate, explain and test redaction and baggage rules$/m);
      expect(run.stdout).toMatch(/^ {2}proxy +run the tracing proxy/m);
      expect(run.stdout).toContain('--version');
      expect(run.stdout).toContain('Exit codes: 0 ok, 1 invalid rules or failed tests, 2 wrong command line.');
    }
  });

  test('rules --help lists its subcommands', async () => {
    const run = await runInProcess(['rules', '--help']);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toMatch(/^Usage: threadline rules <command> \[options\]/);
    for (const name of ['validate', 'explain', 'test']) expect(run.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
  });

  test.each([
    ['validate', 'Usage: threadline rules validate FILE... [options]', ['--json']],
    ['explain', 'Usage: threadline rules explain FILE --span SPAN.json [options]', ['--span SPAN.json', '--hide-values', '--changes-only', '--json']],
    ['test', 'Usage: threadline rules test FILE... [options]', ['--json']],
  ])('rules %s --help shows usage, arguments, options and examples', async (name, usage, options) => {
    const run = await runInProcess(['rules', name, '--help']);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe(usage);
    expect(run.stdout).toContain('Arguments:\n  FILE');
    for (const option of [...options, '-h, --help']) expect(run.stdout).toContain(option);
    expect(run.stdout).toContain(`Examples:\n  threadline rules ${name} `);
  });

  test('-h after arguments still shows help, without running the command', async () => {
    const run = await runInProcess(['rules', 'validate', 'does-not-exist.yaml', '-h']);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toMatch(/^Usage: threadline rules validate/);
  });

  test('--version prints the package version', async () => {
    const run = await runInProcess(['--version']);
    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toBe(`threadline ${packageVersion()}\n`);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('usage errors exit 2 with the help of the command concerned on stderr', () => {
  test.each([
    [[], 'threadline: missing command', 'Usage: threadline <command>'],
    [['deploy'], "threadline: unknown command 'deploy'", 'Usage: threadline <command>'],
    [['--verbose'], "threadline: unknown option '--verbose'", 'Usage: threadline <command>'],
    [['rules'], 'threadline rules: missing command', 'Usage: threadline rules <command>'],
    [['rules', 'lint', 'a.yaml'], "threadline rules: unknown command 'lint'", 'Usage: threadline rules <command>'],
    [['rules', 'valid', 'a.yaml'], "threadline rules: unknown command 'valid' (did you mean 'validate'?)", 'Usage: threadline rules <command>'],
    [['rules', 'tset', 'a.yaml'], "threadline rules: unknown command 'tset' (did you mean 'test'?)", 'Usage: threadline rules <command>'],
    [['rules', 'validate'], 'threadline rules validate: missing argument FILE', 'Usage: threadline rules validate'],
    [['rules', 'validate', '--strict', 'a.yaml'], "threadline rules validate: unknown option '--strict'", 'Usage: threadline rules validate'],
    [['rules', 'explain', 'a.yaml'], 'threadline rules explain: missing required option --span SPAN.json', 'Usage: threadline rules explain'],
    [['rules', 'explain', 'a.yaml', '--span'], "threadline rules explain: option '--span' needs a value", 'Usage: threadline rules explain'],
    [['rules', 'explain', 'a.yaml', 'b.yaml', '--span', 's.json'], "threadline rules explain: unexpected argument 'b.yaml'", 'Usage: threadline rules explain'],
    [['rules', 'test', '--json=yes', 'a.yaml'], "threadline rules test: option '--json' does not take a value", 'Usage: threadline rules test'],
  ])('%j', async (argv, message, usage) => {
    const run = await runInProcess(argv);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(message);
    expect(run.stderr).toContain(usage);
  });
});

test('proxy gets its arguments as they are (it parses its own options)', async () => {
  const help = await runInProcess(['proxy', '--help']);
  expect(help.code).toBe(EXIT_OK);
  expect(help.stdout).toMatch(/^Usage: threadline proxy --config FILE/);
  const missing = await runInProcess(['proxy', '--config', 'no-such-interceptor.yaml']);
  expect(missing.code).toBe(EXIT_FAILURE);
  expect(missing.stderr).toContain('no-such-interceptor.yaml');
});
