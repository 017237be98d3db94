// The forward proxy's allow list: `name` (any port), `name:port`, `*.domain` (every subdomain,
// not the domain itself). Names compare case-insensitively; IPv6 literals are written in brackets.
// Everything else is refused: the forward proxy is never open.

interface HostRule {
  /** Exact host, or the suffix '.domain' for a wildcard. */
  host: string;
  wildcard: boolean;
  port?: number;
}

function parseRule(pattern: string): HostRule {
  let text = pattern.trim().toLowerCase();
  let port: number | undefined;
  const portMatch = /^(.*[^:]):(\d{1,5})$/.exec(text);
  // "::1" has colons but no port; a bracketed IPv6 literal or a name may carry one.
  if (portMatch !== null && (portMatch[1]!.endsWith(']') || !portMatch[1]!.includes(':'))) {
    text = portMatch[1]!;
    port = Number(portMatch[2]);
  }
  if (text.includes(':') && !text.startsWith('[')) text = `[${text}]`;
  const wildcard = text.startsWith('*.');
  return { host: wildcard ? text.slice(1) : text, wildcard, ...(port === undefined ? {} : { port }) };
}

export class AllowedHosts {
  private readonly rules: readonly HostRule[];

  constructor(patterns: readonly string[]) {
    this.rules = patterns.map(parseRule);
  }

  /** `host` as in a URL's hostname (IPv6 in brackets), `port` the effective port. */
  allows(host: string, port: number): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return this.rules.some((rule) => (rule.port === undefined || rule.port === port) && (rule.wildcard ? name.endsWith(rule.host) && name.length > rule.host.length : name === rule.host));
  }
}
