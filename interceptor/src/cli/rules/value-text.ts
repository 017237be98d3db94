// How values appear in human output: JSON literals, one line, long ones shortened.

/** Longest value shown in full; longer ones (stack traces, bodies) are cut with their length noted. */
export const MAX_SHOWN_CHARACTERS = 120;

export function valueText(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= MAX_SHOWN_CHARACTERS) return text;
  return `${text.slice(0, MAX_SHOWN_CHARACTERS)}… (${text.length} characters)`;
}

/** `attributes["user.email"]`, `events[0].name`: a readable path from segments. */
export function pathText(segments: readonly (string | number)[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? '(whole value)' : text;
}
