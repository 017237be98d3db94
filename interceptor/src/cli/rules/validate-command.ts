// `threadline rules validate FILE...`: exit 0 when every file is valid, 1 otherwise.
import { formatIssue } from '@threadline/connectors';
import type { ParsedCommandLine } from '../command';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io';
import { styleFor } from '../style';
import { readRules, type RulesReadResult } from './read-rules';

export async function runValidate(args: ParsedCommandLine, io: CliIo): Promise<number> {
  const results = args.positionals.map((file) => readRules(file, io));
  const valid = results.every((result) => result.ok);
  if (args.values.json === true) {
    io.stdout.write(JSON.stringify({ valid, files: results.map(validationJson) }, null, 2) + '\n');
  } else {
    writeText(results, io);
  }
  return valid ? EXIT_OK : EXIT_FAILURE;
}

function validationJson(result: RulesReadResult): object {
  if (!result.ok) return { file: result.file, valid: false, issues: result.issues, warnings: [] };
  return { file: result.file, valid: true, issues: [], warnings: result.loaded.rules.warnings, tests: result.loaded.rules.tests.length };
}

function writeText(results: RulesReadResult[], io: CliIo): void {
  const out = styleFor(io.stdout, io.env);
  for (const result of results) {
    if (result.ok) {
      const tests = result.loaded.rules.tests.length;
      io.stdout.write(`${out.ok('valid')}    ${result.file}${tests > 0 ? out.dim(` (${tests} test case${tests === 1 ? '' : 's'})`) : ''}\n`);
      for (const warning of result.loaded.rules.warnings) io.stdout.write(`  warning: ${warning}\n`);
    } else {
      const count = result.issues.length === 1 ? '1 problem' : `${result.issues.length} problems`;
      io.stdout.write(`${out.bad('invalid')}  ${result.file}: ${count}\n`);
      for (const issue of result.issues) io.stdout.write(`  ${formatIssue(issue)}\n`);
    }
  }
}
