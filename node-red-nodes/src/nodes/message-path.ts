// Reading and writing a message property the user names, like `payload.trace` or `req.headers`.
// A small dotted-path walker: the nodes only need plain property paths, and RED.util is not
// there in every runtime the nodes are tested in.

const SEGMENT = /^[A-Za-z_$][\w$-]*$/;

/** `payload.trace` → ['payload', 'trace']; throws naming the path when it is not a plain dotted path. */
export function parsePropertyPath(property: string): string[] {
  const trimmed = property.trim().replace(/^msg\./, '');
  const segments = trimmed.split('.');
  if (trimmed === '' || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new Error(`property "${property}": expected a dotted path such as payload.trace`);
  }
  return segments;
}

export function getMessageProperty(msg: Record<string, unknown>, property: string): unknown {
  let value: unknown = msg;
  for (const segment of parsePropertyPath(property)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Sets the property, creating plain objects on the way. */
export function setMessageProperty(msg: Record<string, unknown>, property: string, value: unknown): void {
  const segments = parsePropertyPath(property);
  let target: Record<string, unknown> = msg;
  for (const segment of segments.slice(0, -1)) {
    const next = target[segment];
    if (typeof next !== 'object' || next === null) target[segment] = {};
    target = target[segment] as Record<string, unknown>;
  }
  target[segments[segments.length - 1]] = value;
}
