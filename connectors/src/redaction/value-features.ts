// One pass over a value counts what the detectors' cheap pre-checks need (an '@' for e-mail,
// 13 digits for a card, a long token run for keys…), so most values are ruled out for most
// detectors without running a single regular expression.

export interface ValueFeatures {
  length: number;
  digits: number;
  upper: number;
  at: number;
  colons: number;
  equals: number;
  dots: number;
  /** Spaces and tabs. */
  spaces: number;
  /** Longest run of token characters: letters, digits and + / = _ -. */
  maxRun: number;
}

const TOKEN = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z0-9+/=_-]/.test(char)) TOKEN[code] = 1;
}

const shared: ValueFeatures = { length: 0, digits: 0, upper: 0, at: 0, colons: 0, equals: 0, dots: 0, spaces: 0, maxRun: 0 };

/**
 * The features of `text`. The result is one shared object, overwritten by the next call: read it
 * before scanning another value (the scanner does).
 */
export function valueFeatures(text: string): ValueFeatures {
  let digits = 0;
  let upper = 0;
  let at = 0;
  let colons = 0;
  let equals = 0;
  let dots = 0;
  let spaces = 0;
  let run = 0;
  let maxRun = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 128 && TOKEN[code] === 1) {
      run++;
      if (code >= 48 && code <= 57) digits++;
      else if (code >= 65 && code <= 90) upper++;
      else if (code === 61) equals++;
      continue;
    }
    if (run > maxRun) maxRun = run;
    run = 0;
    if (code === 64) at++;
    else if (code === 58) colons++;
    else if (code === 46) dots++;
    else if (code === 32 || code === 9) spaces++;
  }
  if (run > maxRun) maxRun = run;
  shared.length = length;
  shared.digits = digits;
  shared.upper = upper;
  shared.at = at;
  shared.colons = colons;
  shared.equals = equals;
  shared.dots = dots;
  shared.spaces = spaces;
  shared.maxRun = maxRun;
  return shared;
}
