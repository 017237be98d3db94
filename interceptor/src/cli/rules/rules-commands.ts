// `threadline rules …`: the admin's tools for redaction and baggage rules files.
import type { CliCommand, CliCommandGroup } from '../command';
import { runExplain } from './explain-command';
import { runRuleTestsCommand } from './test-command';
import { runValidate } from './validate-command';

const JSON_OPTION = { type: 'boolean', description: 'print one JSON document for machines instead of text' } as const;

const validate: CliCommand = {
  kind: 'command',
  name: 'validate',
  summary: 'check rules files against the schema and the engine',
  description: [
    'Reads each FILE (YAML or JSON) and reports every problem with the field path and, for YAML,',
    'the line and column. Exit code 0 when every file is valid, 1 otherwise.',
  ].join('\n'),
  positionals: [{ name: 'FILE', description: 'rules file(s), .yaml, .yml or .json', variadic: true }],
  options: { json: JSON_OPTION },
  examples: ['rules validate rules.yaml', 'rules validate --json samples/rules/*.yaml'],
  run: runValidate,
};

const explain: CliCommand = {
  kind: 'command',
  name: 'explain',
  summary: 'dry run: show what the rules do to a sample span',
  description: [
    'Applies the rules in FILE to the span in SPAN.json without exporting anything and shows the',
    'span name, every attribute, event and resource attribute before and after, and the rule that',
    'changed it. Values are shown as they are: run it on sample spans, or pass --hide-values when',
    'the output goes to a shared log. Exit code 0, or 1 when FILE or SPAN.json is invalid.',
  ].join('\n'),
  positionals: [{ name: 'FILE', description: 'rules file, .yaml, .yml or .json' }],
  options: {
    span: { type: 'string', valueName: 'SPAN.json', description: 'the span to run the rules on (see samples/rules/spans/)', required: true },
    'hide-values': { type: 'boolean', description: 'show which values changed and why, but not the values themselves' },
    'changes-only': { type: 'boolean', description: 'list only what the rules changed' },
    json: JSON_OPTION,
  },
  examples: ['rules explain rules.yaml --span samples/rules/spans/http-server.json', 'rules explain rules.yaml --span span.json --hide-values'],
  run: runExplain,
};

const test: CliCommand = {
  kind: 'command',
  name: 'test',
  summary: "run the test cases written in the rules file's tests: section",
  description: [
    'Runs every case under tests: in each FILE and prints pass or fail per case, with the',
    'expected and actual result of each failing case, then "N passed, N failed".',
    'Exit code 0 when every case passes, 1 when a case fails or a file is invalid.',
  ].join('\n'),
  positionals: [{ name: 'FILE', description: 'rules file(s) with a tests: section', variadic: true }],
  options: { json: JSON_OPTION },
  examples: ['rules test rules.yaml', 'rules test samples/rules/*.yaml'],
  run: runRuleTestsCommand,
};

export const rulesCommands: CliCommandGroup = {
  kind: 'group',
  name: 'rules',
  summary: 'validate, explain and test redaction and baggage rules',
  description: 'Rules files are YAML or JSON, checked against schemas/redaction-rules.schema.json.',
  commands: [validate, explain, test],
};
