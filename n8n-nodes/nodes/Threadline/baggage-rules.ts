// Baggage within the admin's rules: the strict default redaction rules with the baggage section
// the Threadline Collector credential describes, compiled by connectors' rule engine. Compiled
// rules are kept per distinct settings (a handful per n8n instance), so an execution does not
// compile them again.
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { BaggageRules, CompiledRules, W3CBaggage } from './connectors';
import { compileRules, ConfigError, parseBaggageHeader, serializeBaggage, STRICT_DEFAULT_RULES } from './connectors';

const MAX_CACHED_RULE_SETS = 16;
/** A node is configured by its credential, never by environment variables (and the bundle has no process.env: scripts/build.js). */
const NO_ENVIRONMENT: Readonly<Record<string, string | undefined>> = Object.freeze({});
const compiledByRules = new Map<string, CompiledRules>();

/** The redaction and baggage rules for `baggage`; a NodeOperationError names the credential field when a rule is invalid. */
export function rulesFor(node: INode, baggage: BaggageRules): CompiledRules {
  const key = JSON.stringify(baggage);
  const cached = compiledByRules.get(key);
  if (cached) return cached;
  let rules: CompiledRules;
  try {
    rules = compileRules({ ...STRICT_DEFAULT_RULES, baggage }, { source: 'Threadline Collector credential', env: NO_ENVIRONMENT });
  } catch (error) {
    const detail =
      error instanceof ConfigError
        ? error.issues.map((issue) => `${issue.field.replace(/^baggage\.?/, '') || 'baggage'} ${issue.message}`).join('; ')
        : error instanceof Error
          ? error.message
          : String(error);
    throw new NodeOperationError(node, `Threadline Collector credential, baggage rules: ${detail}`);
  }
  if (compiledByRules.size >= MAX_CACHED_RULE_SETS) compiledByRules.delete(compiledByRules.keys().next().value as string);
  compiledByRules.set(key, rules);
  return rules;
}

function parsed(header: string | undefined): W3CBaggage {
  return parseBaggageHeader(header ?? '').baggage;
}

/** The members a caller may bring in. */
export function acceptedBaggage(rules: CompiledRules, header: string | undefined): string {
  return serializeBaggage(rules.baggage.filterInbound(parsed(header)));
}

/** The members that may go to `destination` (a URL or host). */
export function outboundBaggage(rules: CompiledRules, header: string | undefined, destination: string): string {
  return serializeBaggage(rules.baggage.filterOutbound(parsed(header), destination));
}

/** Whether the rules let the workflow carry `key` (the same test as for a caller's members). */
export function isAcceptedKey(rules: CompiledRules, key: string): boolean {
  const probe = parseBaggageHeader(`${key}=x`).baggage;
  return rules.baggage.filterInbound(probe).getEntry(key) !== undefined;
}
