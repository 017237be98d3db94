// compileRules(): a rules document → CompiledRules, once. Regexes are compiled, detectors
// chosen, actions turned into functions, keys resolved lazily to plans (cached per key), so
// redacting a span costs lookups and only the detector searches a value's features allow.
import type { Resource } from '@opentelemetry/resources';
import type { Environment } from '../config/env-substitution';
import type { ParsedText } from '../config/structured-text';
import { compileAction, type CompiledAction, type HashSettings } from './actions';
import { BaggagePolicy } from './baggage-policy';
import { ATTR_REQUEST_BODY, ATTR_RESPONSE_BODY, DEFAULT_BODY_MAX_BYTES, type BodySpec, type CompiledBodyField } from './body-fields';
import { buildDetectors, defineDetector, regexSearch, type Detector } from './detectors';
import { keyPatternMatcher, globListMatcher, scopeMatcher, type ScopeMatcher, type ScopeSubject, type TextMatcher } from './matchers';
import { pathIdMatcher, type PathIdMatcher } from './path-ids';
import { RuleIssues } from './rule-issues';
import type { ApplyRules, HeaderRule, RedactionRules, RuleAction, RuleTestCase } from './rules-document';
import { sensitiveKeySet, UrlRules, type QueryKeyTest } from './url';
import { ValueScanner } from './value-scanner';

export const RULES_SUBJECT = 'redaction rules';

export interface CompileRulesOptions {
  /** Variables for hashing.keyEnv. Default: process.env. */
  env?: Environment;
  /** Name used in messages and by explain, e.g. the file path. Default 'rules'. */
  source?: string;
  /** The parsed file, so problems found while compiling get a line. */
  parsed?: ParsedText;
  /**
   * Default true: a hash action whose key variable is unset is a ConfigError. False (for
   * `validate` in CI without the secret): such values are dropped instead, and a warning says so.
   */
  requireHashKey?: boolean;
  /** More query keys whose values are always REDACTED (the connectors config's redaction.urlQuerySensitiveKeys). */
  extraSensitiveQueryKeys?: readonly string[];
  /** Detectors written in code (see defineDetector), run after the built-in ones. */
  customDetectors?: readonly Detector[];
}

/** Rules compiled once: immutable, shared by every engine that uses them. */
export interface CompiledRules {
  readonly source: string;
  readonly document: Readonly<RedactionRules>;
  readonly baggage: BaggagePolicy;
  readonly tests: readonly RuleTestCase[];
  /** Things that work but may not be what the author meant (a missing hash key with requireHashKey false). */
  readonly warnings: readonly string[];
}

/** How the engine treats an attribute key; resolved once per key and cached. */
export type KeyPlan =
  | { kind: 'own' }
  | { kind: 'drop'; rule: string; hideKey?: boolean }
  | { kind: 'keep'; rule: string }
  | { kind: 'action'; action: CompiledAction; rule: string }
  | { kind: 'scan' }
  | { kind: 'url'; part: 'full' | 'query' | 'target' | 'path' }
  | { kind: 'body'; spec: BodySpec; rule: string };

const OWN_PREFIX = 'threadline.redaction.';
const REQUEST_HEADER = 'http.request.header.';
const RESPONSE_HEADER = 'http.response.header.';
const URL_PARTS: Readonly<Record<string, 'full' | 'query' | 'target' | 'path'>> = {
  'url.full': 'full',
  'http.url': 'full',
  'url.query': 'query',
  'http.target': 'target',
  'url.path': 'path',
};
/** Bounds the per-profile key cache against floods of distinct keys. */
const MAX_CACHED_KEYS = 4096;
/** Longest attribute value remembered as clean. */
const MAX_CACHED_VALUE_LENGTH = 128;

interface Scoped<T> {
  item: T;
  when: ScopeMatcher | undefined;
}

interface CompiledKeyRule {
  keys: TextMatcher;
  action: CompiledAction;
  rule: string;
}

interface HeaderPolicy {
  action: CompiledAction | undefined;
  rule: string;
}

type AllowedValue = (text: string) => boolean;

/** The rules in force for spans of one scope: key plans and a value scanner. */
export class Profile {
  private readonly plans = new Map<string, KeyPlan>();
  /** Span and event names that passed unchanged (names repeat: `GET /orders/:id`). Bounded. */
  private readonly cleanNames = new Set<string>();
  /** Attribute values the scanner found nothing in (a flow's spans repeat the same ids and names). */
  private readonly cleanValues = new Set<string>();
  readonly url: UrlRules;

  constructor(
    private readonly rules: CompiledRuleSet,
    private readonly keyRules: readonly CompiledKeyRule[],
    readonly scanner: ValueScanner,
  ) {
    this.url = rules.urlRules(scanner);
  }

  isCleanName(name: string): boolean {
    return this.cleanNames.has(name);
  }

  rememberCleanName(name: string): void {
    if (this.cleanNames.size >= MAX_CACHED_KEYS) this.cleanNames.clear();
    this.cleanNames.add(name);
  }

  isCleanValue(value: string): boolean {
    return this.cleanValues.has(value);
  }

  /** Only short values are remembered: the cache is for the identifiers every span repeats. */
  rememberCleanValue(value: string): void {
    if (value.length > MAX_CACHED_VALUE_LENGTH) return;
    if (this.cleanValues.size >= MAX_CACHED_KEYS) this.cleanValues.clear();
    this.cleanValues.add(value);
  }

  plan(key: string): KeyPlan {
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.resolve(key);
      if (this.plans.size >= MAX_CACHED_KEYS) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }

  private resolve(key: string): KeyPlan {
    const rules = this.rules;
    if (key.startsWith(OWN_PREFIX)) return { kind: 'own' };
    if (rules.allow !== undefined && !rules.allow(key)) return { kind: 'drop', rule: 'attributes.allow', hideKey: this.scanner.firstFinding(key) !== undefined };
    // A key that itself holds something a detector finds is dropped, and not named in the summary.
    const inKey = this.scanner.firstFinding(key);
    if (inKey !== undefined) return { kind: 'drop', rule: `${inKey} (in the key)`, hideKey: true };
    for (const keyRule of this.keyRules) {
      if (!keyRule.keys(key)) continue;
      if (keyRule.action.type === 'drop') return { kind: 'drop', rule: keyRule.rule };
      if (keyRule.action.type === 'keep') return { kind: 'keep', rule: keyRule.rule };
      return { kind: 'action', action: keyRule.action, rule: keyRule.rule };
    }
    if (rules.block?.(key)) return { kind: 'drop', rule: 'attributes.block' };
    if (rules.safe?.(key)) return { kind: 'keep', rule: 'attributes.safe' };
    const lower = key.toLowerCase();
    if (lower.startsWith(REQUEST_HEADER) || lower.startsWith(RESPONSE_HEADER)) {
      const request = lower.startsWith(REQUEST_HEADER);
      const name = lower.slice(request ? REQUEST_HEADER.length : RESPONSE_HEADER.length);
      const policy = (request ? rules.requestHeaders : rules.responseHeaders).get(name);
      if (policy === undefined) return { kind: 'drop', rule: request ? 'headers.request (not listed)' : 'headers.response (not listed)' };
      if (policy.action === undefined) return { kind: 'scan' };
      if (policy.action.type === 'keep') return { kind: 'keep', rule: policy.rule };
      return { kind: 'action', action: policy.action, rule: policy.rule };
    }
    if (key === ATTR_REQUEST_BODY) return { kind: 'body', spec: rules.requestBody, rule: 'bodies.request' };
    if (key === ATTR_RESPONSE_BODY) return { kind: 'body', spec: rules.responseBody, rule: 'bodies.response' };
    const urlPart = URL_PARTS[key];
    if (urlPart !== undefined) return { kind: 'url', part: urlPart };
    return { kind: 'scan' };
  }
}

/** The implementation behind CompiledRules; only this module and the engine see its insides. */
export class CompiledRuleSet implements CompiledRules {
  readonly baggage: BaggagePolicy;
  readonly tests: readonly RuleTestCase[];
  readonly warnings: string[] = [];
  readonly apply: Required<ApplyRules>;
  readonly summary: boolean;
  readonly allow: TextMatcher | undefined;
  readonly safe: TextMatcher | undefined;
  readonly block: TextMatcher | undefined;
  readonly requestHeaders = new Map<string, HeaderPolicy>();
  readonly responseHeaders = new Map<string, HeaderPolicy>();
  readonly requestBody: BodySpec;
  readonly responseBody: BodySpec;
  /** True when some rule has a scope: the profile then depends on the span. */
  readonly scoped: boolean;
  /** Resources redacted under these rules, by identity (the exporter groups spans by Resource object). */
  readonly resources = new WeakMap<Resource, Resource>();

  private readonly keyRules: Scoped<CompiledKeyRule>[] = [];
  private readonly patterns: Scoped<Detector>[] = [];
  private readonly allowedValues: Scoped<AllowedValue>[] = [];
  private readonly detectors: Detector[];
  private readonly queryKeyTest: QueryKeyTest;
  private readonly pathIds: PathIdMatcher | undefined;
  private readonly profiles = new Map<string, Profile>();
  private readonly unscoped: Profile;

  constructor(
    readonly document: Readonly<RedactionRules>,
    readonly source: string,
    issues: RuleIssues,
    hash: HashSettings,
    extraSensitiveQueryKeys: readonly string[],
    customDetectors: readonly Detector[] = [],
  ) {
    const action = (spec: RuleAction): CompiledAction => compileAction(spec, hash);
    const attributes = document.attributes ?? {};
    this.allow = keyPatternMatcher(attributes.allow, '/attributes/allow', issues);
    this.safe = keyPatternMatcher(attributes.safe, '/attributes/safe', issues);
    this.block = keyPatternMatcher(attributes.block, '/attributes/block', issues);
    (attributes.rules ?? []).forEach((rule, index) => {
      const keys = keyPatternMatcher(rule.keys, `/attributes/rules/${index}/keys`, issues);
      if (keys) this.keyRules.push({ item: { keys, action: action(rule.action), rule: rule.name ?? `attributes.rules[${index}]` }, when: scopeMatcher(rule.when) });
    });
    (document.patterns ?? []).forEach((pattern, index) => {
      // Match indices (the `d` flag) cost on every search: only when a `redact` group needs them.
      const flags = (pattern.regex.includes('(?<redact>') ? 'd' : '') + (pattern.ignoreCase === true ? 'gi' : 'g');
      const regex = issues.regex(pattern.regex, flags, `/patterns/${index}/regex`);
      if (regex === undefined) return;
      const detector = defineDetector(pattern.name ?? `patterns[${index}]`, action(pattern.action ?? 'replace'), () => true, regexSearch(regex, 'redact'));
      const requires = pattern.requires?.map((text) => (pattern.ignoreCase === true ? text.toLowerCase() : text));
      if (requires !== undefined) {
        // The cheap pre-check: the regex runs only on values that contain one of these texts.
        const search = detector.find;
        const lower = pattern.ignoreCase === true && requires.some((needle) => /[a-z]/.test(needle));
        (detector as { find: Detector['find'] }).find = (text, sink) => {
          const haystack = lower && /[A-Z]/.test(text) ? text.toLowerCase() : text;
          if (requires.some((needle) => haystack.includes(needle))) search(text, sink);
        };
      }
      this.patterns.push({ item: detector, when: scopeMatcher(pattern.when) });
    });
    (document.allowedValues ?? []).forEach((allowed, index) => {
      const regex = issues.regex(`^(?:${allowed.regex})$`, allowed.ignoreCase === true ? 'i' : '', `/allowedValues/${index}/regex`);
      if (regex) this.allowedValues.push({ item: (text) => regex.test(text), when: scopeMatcher(allowed.when) });
    });
    this.detectors = [...buildDetectors(document.detectors, hash), ...customDetectors];

    const headerPolicies = (list: readonly HeaderRule[] | undefined, into: Map<string, HeaderPolicy>, section: string): void =>
      (list ?? []).forEach((entry, index) => {
        const name = (typeof entry === 'string' ? entry : entry.name).toLowerCase();
        const configured = typeof entry === 'string' ? undefined : entry.action;
        into.set(name, { action: configured === undefined ? undefined : action(configured), rule: `headers.${section}[${index}]` });
      });
    headerPolicies(document.headers?.request, this.requestHeaders, 'request');
    headerPolicies(document.headers?.response, this.responseHeaders, 'response');

    const maxBytes = document.bodies?.maxBytes ?? DEFAULT_BODY_MAX_BYTES;
    const bodyFields = (section: 'request' | 'response'): CompiledBodyField[] =>
      (document.bodies?.[section] ?? []).map((field, index) => ({
        pointer: field.pointer,
        action: field.action === undefined ? undefined : action(field.action),
        rule: `bodies.${section}[${index}]`,
      }));
    this.requestBody = { fields: bodyFields('request'), maxBytes };
    this.responseBody = { fields: bodyFields('response'), maxBytes };

    const query = document.url?.query ?? {};
    const always = sensitiveKeySet(extraSensitiveQueryKeys);
    if (query.mode === 'allowlist') {
      const allowed = globListMatcher(query.allowedKeys ?? []) as TextMatcher;
      this.queryKeyTest = (key) => always.has(key) || !allowed(key);
    } else {
      const sensitive = globListMatcher(query.sensitiveKeys);
      this.queryKeyTest = sensitive === undefined ? (key) => always.has(key) : (key) => always.has(key) || sensitive(key);
    }
    this.pathIds = pathIdMatcher(document.url?.pathIds, issues);

    const apply = document.apply ?? {};
    this.apply = {
      spanNames: apply.spanNames ?? true,
      events: apply.events ?? true,
      exceptions: apply.exceptions ?? true,
      statusMessages: apply.statusMessages ?? true,
      links: apply.links ?? true,
      resourceAttributes: apply.resourceAttributes ?? true,
    };
    this.summary = document.summary ?? true;
    this.baggage = new BaggagePolicy(document.baggage, issues);
    this.tests = document.tests ?? [];
    this.scoped = [...this.keyRules, ...this.patterns, ...this.allowedValues].some((scoped) => scoped.when !== undefined);
    this.unscoped = this.buildProfile(() => true);
  }

  /** The profile for a span: the rules whose scope matches it. */
  profileFor(subject: ScopeSubject | undefined): Profile {
    if (!this.scoped || subject === undefined) return this.unscoped;
    let signature = '';
    for (const list of [this.keyRules, this.patterns, this.allowedValues] as Scoped<unknown>[][]) {
      for (const scoped of list) signature += scoped.when === undefined || scoped.when(subject) ? '1' : '0';
    }
    let profile = this.profiles.get(signature);
    if (profile === undefined) {
      profile = this.buildProfile((scoped) => scoped.when === undefined || scoped.when(subject));
      this.profiles.set(signature, profile);
    }
    return profile;
  }

  /** Rules that hold everywhere (scoped rules left out): for resource attributes. */
  get globalProfile(): Profile {
    return this.scoped ? this.buildGlobalProfileOnce() : this.unscoped;
  }

  urlRules(scanner: ValueScanner): UrlRules {
    return new UrlRules({
      redactQueryKey: this.queryKeyTest,
      userInfo: this.document.url?.userInfo ?? true,
      isPathId: this.pathIds,
      idReplacement: this.document.url?.pathIds?.replacement,
      hides: scanner.isEmpty ? undefined : (decoded) => scanner.firstFinding(decoded) !== undefined,
    });
  }

  private globalOnly: Profile | undefined;

  private buildGlobalProfileOnce(): Profile {
    this.globalOnly ??= this.buildProfile((scoped) => scoped.when === undefined);
    return this.globalOnly;
  }

  private buildProfile(active: (scoped: Scoped<unknown>) => boolean): Profile {
    const allowed = this.allowedValues.filter(active).map((scoped) => scoped.item);
    const patterns = this.patterns.filter(active).map((scoped) => scoped.item);
    const isAllowed = allowed.length === 0 ? undefined : allowed.length === 1 ? allowed[0] : (text: string) => allowed.some((test) => test(text));
    const scanner = new ValueScanner([...patterns, ...this.detectors], isAllowed, patterns.length);
    return new Profile(
      this,
      this.keyRules.filter(active).map((scoped) => scoped.item),
      scanner,
    );
  }
}

/** Every hash action in a document, by JSON Pointer. */
function hashActionPointers(document: RedactionRules): string[] {
  const found: string[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, `${pointer}/${index}`));
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'tests') continue;
        if (key === 'action' && (value === 'hash' || (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'hash'))) found.push(`${pointer}/action`);
        else visit(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
    }
  };
  visit(document, '');
  return found;
}

/** Minimum HMAC key size: 128 bits. */
const MIN_HASH_KEY_BYTES = 16;

function hashSettings(document: RedactionRules, options: CompileRulesOptions, issues: RuleIssues, warnings: string[]): HashSettings {
  const length = document.hashing?.length ?? 32;
  const users = hashActionPointers(document);
  if (users.length === 0) return { key: undefined, length };
  const keyEnv = document.hashing?.keyEnv;
  if (keyEnv === undefined) {
    for (const pointer of users) issues.add(pointer, 'hash needs a key: set hashing.keyEnv to the name of the environment variable that holds it');
    return { key: undefined, length };
  }
  const value = (options.env ?? process.env)[keyEnv];
  if (value === undefined || value === '') {
    if (options.requireHashKey !== false) issues.add('/hashing/keyEnv', `environment variable ${keyEnv} is not set: hash actions need its key (values are never hashed without one)`);
    else warnings.push(`environment variable ${keyEnv} is not set: values with a hash action are dropped`);
    return { key: undefined, length };
  }
  const key = Buffer.from(value, 'utf8');
  if (key.length < MIN_HASH_KEY_BYTES) {
    issues.add('/hashing/keyEnv', `the key in ${keyEnv} is ${key.length} bytes; at least ${MIN_HASH_KEY_BYTES} are needed`);
    return { key: undefined, length };
  }
  return { key, length };
}

/**
 * Compiles a rules document (already valid against the schema: use loadRulesFile or
 * parseRulesText for files). Throws ConfigError for what the schema cannot check: regexes that
 * do not compile, a hash action without its key, an invalid CIDR block.
 */
export function compileRules(document: RedactionRules, options: CompileRulesOptions = {}): CompiledRules {
  const source = options.source ?? 'rules';
  const issues = new RuleIssues(source, document, options.parsed, RULES_SUBJECT);
  const warnings: string[] = [];
  const hash = hashSettings(document, options, issues, warnings);
  const compiled = new CompiledRuleSet(deepFreeze(cloneData(document)), source, issues, hash, options.extraSensitiveQueryKeys ?? [], options.customDetectors);
  issues.throwIfAny();
  compiled.warnings.push(...warnings);
  return compiled;
}

/** The engine's view of compiled rules; throws for an object compileRules did not make. */
export function ruleSetOf(rules: CompiledRules): CompiledRuleSet {
  if (!(rules instanceof CompiledRuleSet)) throw new TypeError('redaction rules must come from compileRules() or loadRulesFile()');
  return rules;
}

/** A deep copy of JSON-like data (plain objects and arrays of the caller's realm). */
function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneData) as T;
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = cloneData(item);
    return copy as T;
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

