// Runs the detectors and custom patterns of a rule set over one text value: features first
// (one pass), then only the detectors whose pre-check passes; findings that overlap an earlier
// (higher-priority) one or that an allowed value covers are ignored; the rest get their actions.
import { REDACTED } from './constants';
import type { Detector, MatchSink, ValueRule } from './detectors';
import { valueFeatures } from './value-features';

/** The value must not be exported (a drop action, or a hash action without its key). */
export const DROPPED: unique symbol = Symbol('dropped');
export type ScanResult = string | typeof DROPPED;

/** Below this length no built-in detector can match (custom patterns still run). */
const MIN_DETECTABLE_LENGTH = 6;
/**
 * Values found clean are remembered (the same method, route, host, user agent and content type
 * come with every request), so a repeated value costs one lookup. Only clean values: nothing a
 * rule would redact is kept in memory. Bounded; cleared when full.
 */
const CLEAN_CACHE_SIZE = 1024;
const CLEAN_CACHE_MAX_LENGTH = 256;

interface Finding {
  start: number;
  end: number;
  rule: ValueRule;
}

class Findings implements MatchSink {
  readonly list: Finding[] = [];

  constructor(
    private readonly text: string,
    private readonly allowed: ((text: string) => boolean) | undefined,
  ) {}

  add(start: number, end: number, rule: ValueRule): void {
    if (end <= start || this.text.slice(start, end) === REDACTED) return;
    for (const finding of this.list) if (start < finding.end && finding.start < end) return;
    if (this.allowed !== undefined && this.allowed(this.text.slice(start, end))) return;
    this.list.push({ start, end, rule });
  }
}

export class ValueScanner {
  private readonly hasPatterns: boolean;
  private readonly clean = new Set<string>();

  /**
   * `rules` in priority order (custom patterns first, then detectors); `allowed` says whether a
   * whole finding must be kept.
   */
  constructor(
    private readonly rules: readonly Detector[],
    private readonly allowed: ((text: string) => boolean) | undefined,
    patternCount: number,
  ) {
    this.hasPatterns = patternCount > 0;
  }

  /** Nothing to look for. */
  get isEmpty(): boolean {
    return this.rules.length === 0;
  }

  /**
   * The value with its findings redacted (the same string when nothing was found), or DROPPED.
   * `fired` receives the ids of the rules that changed something.
   */
  scan(text: string, fired?: string[]): ScanResult {
    const findings = this.find(text);
    if (findings === undefined) return text;
    const list = findings.list.sort((a, b) => a.start - b.start);
    let result = '';
    let copied = 0;
    for (const finding of list) {
      const replacement = finding.rule.action.apply(text.slice(finding.start, finding.end));
      if (fired !== undefined && !fired.includes(finding.rule.id)) fired.push(finding.rule.id);
      if (replacement === undefined) return DROPPED;
      result += text.slice(copied, finding.start) + replacement;
      copied = finding.end;
    }
    return result + text.slice(copied);
  }

  /** The id of the first rule that finds something in `text`, or undefined. */
  firstFinding(text: string): string | undefined {
    return this.find(text)?.list[0]?.rule.id;
  }

  private find(text: string): Findings | undefined {
    if (this.rules.length === 0 || (text.length < MIN_DETECTABLE_LENGTH && !this.hasPatterns)) return undefined;
    const cacheable = text.length <= CLEAN_CACHE_MAX_LENGTH;
    if (cacheable && this.clean.has(text)) return undefined;
    const features = valueFeatures(text);
    let findings: Findings | undefined;
    for (const rule of this.rules) {
      if (!rule.applies(features)) continue;
      findings ??= new Findings(text, this.allowed);
      rule.find(text, findings);
    }
    if (findings !== undefined && findings.list.length > 0) return findings;
    if (cacheable) {
      if (this.clean.size >= CLEAN_CACHE_SIZE) this.clean.clear();
      this.clean.add(text);
    }
    return undefined;
  }
}
