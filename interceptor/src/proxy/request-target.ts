// The request-target of an incoming request (RFC 9112 §3.2), read strictly: origin-form for the
// routes, absolute-form for the forward proxy, `*` for OPTIONS. A path with dot segments (also
// percent-encoded) or backslashes is refused, because an upstream that normalises it could be
// walked out of the prefix the route names.

export type RequestTarget =
  | { form: 'origin'; path: string; query: string }
  | { form: 'absolute'; url: URL }
  | { form: 'asterisk' }
  | { form: 'invalid'; reason: string };

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

export function parseRequestTarget(target: string): RequestTarget {
  if (target.startsWith('/')) {
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = queryAt < 0 ? '' : target.slice(queryAt);
    if (target.includes('#')) return { form: 'invalid', reason: 'a request-target must not hold a fragment (#)' };
    if (path.includes('\\')) return { form: 'invalid', reason: 'the path must not hold a backslash' };
    if (DOT_SEGMENT.test(path)) return { form: 'invalid', reason: "the path must not hold '.' or '..' segments" };
    return { form: 'origin', path, query };
  }
  if (target === '*') return { form: 'asterisk' };
  // The authority must be written out: WHATWG URL would read http:///x as http://x/.
  if (/^https?:\/\/[^/?#]/i.test(target)) {
    try {
      const url = new URL(target);
      if (url.hostname === '' || url.username !== '' || url.password !== '') return { form: 'invalid', reason: 'an absolute-form target needs a host and no user info' };
      return { form: 'absolute', url };
    } catch {
      return { form: 'invalid', reason: 'the absolute-form target is not a valid URL' };
    }
  }
  return { form: 'invalid', reason: 'the request-target must be a path starting with /' };
}

/** A CONNECT request-target: host:port (RFC 9112 §3.2.3); IPv6 in brackets. */
export function parseAuthority(target: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(target);
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.toLowerCase(), port };
}
