// Baggage at trust boundaries: which members are accepted from callers, which are forwarded to
// which destinations (internal versus external hosts), and which are copied onto spans.
// Everything a rule does not allow is stripped; with no baggage rules at all, everything is.
// Works on any OpenTelemetry Baggage (the W3C codec's W3CBaggage keeps its wire forms).
import type { Attributes, Baggage } from '@opentelemetry/api';
import { isIPv4 } from 'node:net';
import { globListMatcher, type TextMatcher } from './matchers';
import type { RuleIssues } from './rule-issues';
import type { BaggageForwardRule, BaggageRules } from './rules-document';

/** Prefix of the span attributes baggage members are copied to. */
export const BAGGAGE_ATTRIBUTE_PREFIX = 'baggage.';

const CIDR = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/;

function ipv4Number(address: string): number {
  return address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** `Host:8080`, `[::1]:443`, `host.` → `host`, `::1`. */
export function normaliseHost(destination: string): string {
  let host = destination.trim().toLowerCase();
  const schemeEnd = host.indexOf('://');
  if (schemeEnd >= 0) host = host.slice(schemeEnd + 3).split(/[/?#]/, 1)[0].replace(/^.*@/, '');
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') < 0 ? undefined : host.indexOf(']'));
  const colon = host.indexOf(':');
  if (colon >= 0 && host.indexOf(':', colon + 1) < 0) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

interface CompiledForward {
  keys: TextMatcher;
  to: 'internal' | 'external' | 'any';
  hosts: TextMatcher | undefined;
}

export class BaggagePolicy {
  private readonly accept: TextMatcher | undefined;
  private readonly copy: TextMatcher | undefined;
  private readonly forward: readonly CompiledForward[];
  private readonly internalGlobs: TextMatcher | undefined;
  private readonly internalBlocks: readonly { base: number; mask: number }[];

  constructor(rules: BaggageRules | undefined, issues?: RuleIssues) {
    this.accept = globListMatcher(rules?.accept);
    this.copy = globListMatcher(rules?.copyToSpans);
    this.forward = (rules?.forward ?? []).map((rule: BaggageForwardRule) => ({
      keys: globListMatcher(rule.keys)!,
      to: rule.to ?? 'internal',
      hosts: globListMatcher(rule.hosts),
    }));
    const globs: string[] = [];
    const blocks: { base: number; mask: number }[] = [];
    (rules?.internalHosts ?? []).forEach((entry, index) => {
      const cidr = CIDR.exec(entry);
      if (cidr === null) {
        globs.push(entry);
        return;
      }
      const bits = Number(cidr[2]);
      if (!isIPv4(cidr[1]) || bits > 32) {
        issues?.add(`/baggage/internalHosts/${index}`, 'is not a valid IPv4 CIDR block (write e.g. 10.0.0.0/8)');
        return;
      }
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      blocks.push({ base: (ipv4Number(cidr[1]) & mask) >>> 0, mask });
    });
    this.internalGlobs = globs.length > 0 ? globListMatcher(globs) : undefined;
    this.internalBlocks = blocks;
  }

  /** Whether a destination (host, host:port or URL) is internal. */
  isInternalHost(destination: string): boolean {
    const host = normaliseHost(destination);
    if (this.internalGlobs?.(host)) return true;
    if (this.internalBlocks.length === 0 || !isIPv4(host)) return false;
    const address = ipv4Number(host);
    return this.internalBlocks.some((block) => ((address & block.mask) >>> 0) === block.base);
  }

  /** The members a caller may bring in; the rest are stripped. */
  filterInbound(baggage: Baggage): Baggage {
    return this.keep(baggage, (key) => this.accept?.(key) === true);
  }

  /** The members that may go to `destinationHost`; by default none go to an external host. */
  filterOutbound(baggage: Baggage, destinationHost: string): Baggage {
    if (this.forward.length === 0) return this.keep(baggage, () => false);
    const host = normaliseHost(destinationHost);
    const internal = this.isInternalHost(host);
    const rules = this.forward.filter((rule) =>
      rule.hosts !== undefined ? rule.hosts(host) : rule.to === 'any' || (rule.to === 'internal') === internal,
    );
    return this.keep(baggage, (key) => rules.some((rule) => rule.keys(key)));
  }

  /** `baggage.<key>` attributes for the members copied onto spans (they then pass redaction). */
  spanAttributes(baggage: Baggage): Attributes {
    const attributes: Attributes = {};
    if (this.copy === undefined) return attributes;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (this.copy(key) && typeof entry.value === 'string') attributes[BAGGAGE_ATTRIBUTE_PREFIX + key] = entry.value;
    }
    return attributes;
  }

  private keep(baggage: Baggage, allowed: (key: string) => boolean): Baggage {
    const stripped = baggage
      .getAllEntries()
      .map(([key]) => key)
      .filter((key) => !allowed(key));
    return stripped.length === 0 ? baggage : baggage.removeEntries(...stripped);
  }
}
