// Help texts, generated from the command definitions so that help and parsing never disagree.
import { HELP_OPTION, type CliCommand, type CliCommandGroup, type CliEntry, type CliOption } from './command';

export const PROGRAM = 'threadline';

export function formatHelp(entry: CliEntry, commandPath: readonly string[]): string {
  if (entry.kind === 'group') return groupHelp(entry, commandPath);
  if (entry.kind === 'command') return commandHelp(entry, commandPath);
  return `Usage: ${[PROGRAM, ...commandPath].join(' ')} [options]\n\n${entry.summary}\n`;
}

function commandHelp(command: CliCommand, commandPath: readonly string[]): string {
  const positionals = command.positionals.map((positional) => (positional.variadic === true ? `${positional.name}...` : positional.name));
  const required = Object.entries(command.options)
    .filter(([, option]) => option.required === true)
    .map(([name, option]) => optionLabel(name, option));
  const lines = [`Usage: ${[PROGRAM, ...commandPath, ...positionals, ...required, '[options]'].join(' ')}`, '', command.summary, ''];
  if (command.description !== '') lines.push(command.description, '');
  if (command.positionals.length > 0) {
    lines.push('Arguments:', ...table(command.positionals.map((positional) => [positional.name, positional.description])), '');
  }
  const options = { ...command.options, help: HELP_OPTION };
  lines.push('Options:', ...table(Object.entries(options).map(([name, option]) => [optionLabel(name, option, true), option.description])), '');
  if (command.examples !== undefined && command.examples.length > 0) {
    lines.push('Examples:', ...command.examples.map((example) => `  ${PROGRAM} ${example}`), '');
  }
  return lines.join('\n');
}

function groupHelp(group: CliCommandGroup, commandPath: readonly string[]): string {
  const lines = [`Usage: ${[PROGRAM, ...commandPath].join(' ')} <command> [options]`, '', group.summary, ''];
  if (group.description !== '') lines.push(group.description, '');
  lines.push('Commands:', ...table(group.commands.map((entry) => [entry.name, entry.summary])), '');
  const extra = commandPath.length === 0 ? [['--version', 'print the version and exit']] : [];
  lines.push('Options:', ...table([['-h, --help', 'show this help and exit'], ...extra]), '');
  lines.push(`Run '${[PROGRAM, ...commandPath, '<command>', '--help'].join(' ')}' for the options of a command.`, '');
  return lines.join('\n');
}

function optionLabel(name: string, option: CliOption, withShort = false): string {
  const short = withShort && option.short !== undefined ? `-${option.short}, ` : '';
  return `${short}--${name}${option.type === 'string' ? ` ${option.valueName ?? 'VALUE'}` : ''}`;
}

function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map(([label]) => label!.length));
  return rows.map(([label, text]) => `  ${label!.padEnd(width)}  ${text!}`);
}

