// A strict reader of the Prometheus text exposition format 0.0.4 for tests: it throws, naming the
// line, on anything a Prometheus server would refuse, and checks each histogram's buckets.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

function fail(lineNumber: number, message: string): never {
  throw new Error(`line ${lineNumber}: ${message}`);
}

// Prometheus reads values with Go's ParseFloat: NaN and Inf in any letter case (prom-client writes "Nan").
function parseValue(text: string, lineNumber: number): number {
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(lineNumber, `bad sample value "${text}"`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, lineNumber: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) fail(lineNumber, 'label without "="');
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(lineNumber, `bad label name "${name}"`);
    if (name in labels) fail(lineNumber, `label "${name}" twice`);
    if (line[eq + 1] !== '"') fail(lineNumber, `label "${name}" value is not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const ch = line[j];
      if (ch === undefined) fail(lineNumber, `unterminated value of label "${name}"`);
      if (ch === '"') break;
      if (ch === '\\') {
        const next = line[j + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else fail(lineNumber, `bad escape in label "${name}"`);
        j += 2;
      } else {
        value += ch;
        j += 1;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') fail(lineNumber, 'expected "," or "}" after a label');
  }
  return { labels, end: i + 1 };
}

function familyNameOf(sampleName: string, families: Map<string, MetricFamily>): string {
  if (families.has(sampleName)) return sampleName;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      if (families.get(base)?.type === 'histogram' || families.get(base)?.type === 'summary') return base;
    }
  }
  return sampleName;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (sample.name.endsWith('_bucket') && le === undefined) throw new Error(`${family.name}: bucket without le`);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'));
    const inf = buckets.find((s) => s.labels.le === '+Inf');
    if (!count || !inf || !samples.some((s) => s.name.endsWith('_sum'))) throw new Error(`${family.name} ${key}: needs _bucket{le="+Inf"}, _sum and _count`);
    if (inf.value !== count.value) throw new Error(`${family.name} ${key}: +Inf bucket ${inf.value} != count ${count.value}`);
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${family.name} ${key}: buckets are not cumulative`);
    }
  }
}

/** Parses an exposition; every sample must belong to a family declared by `# TYPE`. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition does not end with a line feed');
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) fail(lineNumber, `bad metric name "${name}"`);
      const family = families.get(name) ?? { name, type: 'untyped' as MetricType, help: '', samples: [] };
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) fail(lineNumber, `unknown type "${rest}"`);
        if (family.samples.length > 0) fail(lineNumber, `TYPE of ${name} after its samples`);
        family.type = rest as MetricType;
      } else {
        family.help = rest.replace(/\\(n|\\)/g, (_all, ch: string) => (ch === 'n' ? '\n' : '\\'));
      }
      families.set(name, family);
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) fail(lineNumber, 'sample without a value');
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) fail(lineNumber, `bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') ({ labels, end: rest } = parseLabels(line, nameEnd, lineNumber));
    const fields = line.slice(rest).trim().split(/ +/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '') fail(lineNumber, 'expected a value and an optional timestamp');
    const family = families.get(familyNameOf(name, families));
    if (!family) fail(lineNumber, `sample ${name} has no # TYPE`);
    family.samples.push({ name, labels, value: parseValue(fields[0]!, lineNumber) });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Every sample named `name` whose labels include `labels`. */
export function samplesMatching(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): Sample[] {
  const found: Sample[] = [];
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) found.push(sample);
    }
  }
  return found;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined if none, throws if several. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samplesMatching(families, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
