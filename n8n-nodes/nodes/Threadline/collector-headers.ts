// Extra headers for the collector, written like OTEL_EXPORTER_OTLP_HEADERS (`key=value,key2=value2`,
// percent-encoded). Header values are usually secrets: messages name the member, never the value.
// Imported from its own module (not through connectors.ts) so the credential's bundle stays small.
import { parseKeyValueList } from '../../../connectors/src/config/env';

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The headers, or a message saying what is wrong with the list. */
export function parseCollectorHeaders(text: string): Record<string, string> | string {
  const entries = parseKeyValueList(text);
  if (typeof entries === 'string') return entries;
  const headers: Record<string, string> = {};
  for (const [index, [name, value]] of entries.entries()) {
    if (!HTTP_TOKEN.test(name)) return `member ${index + 1} has a name that is not a valid HTTP header name`;
    if (CONTROL_CHARACTER.test(value)) return `the value of header '${name}' contains line breaks or control characters`;
    headers[name.toLowerCase()] = value;
  }
  return headers;
}
