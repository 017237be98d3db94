// JSON Pointers (RFC 6901) name the field an error is about; the dotted form is what people read
// ("exporter.queue.maxSize", "sampling.rules[0].ratio").

/** Splits a JSON Pointer into unescaped segments; '' (the whole document) gives []. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds a JSON Pointer from segments. */
export function pointerFrom(segments: readonly (string | number)[]): string {
  return segments.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Appends one segment to a pointer. */
export function childPointer(pointer: string, segment: string | number): string {
  return pointer + pointerFrom([segment]);
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The dotted form of a pointer. Segments that index an array in `data` become [n]; names that
 * are not plain identifiers (e.g. attribute keys with dots) become ["name"].
 */
export function dottedPath(pointer: string, data?: unknown): string {
  let text = '';
  let node: unknown = data;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node) && /^(?:0|[1-9][0-9]*)$/.test(segment)) {
      text += `[${segment}]`;
    } else if (PLAIN_NAME.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
    node = isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return text === '' ? '(document)' : text;
}

/** The value at a pointer, or undefined when the path does not exist. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node: unknown = data;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isRecord(node) && Object.prototype.hasOwnProperty.call(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
