import type { CompiledAction } from '../actions';
import { defineDetector, regexSearch, type Detector } from './detector';

/**
 * Prefixes of keys and tokens issued by well-known services (payment, source hosting, chat,
 * cloud, package registries, AI APIs). Matched case-sensitively, at a word start.
 */
export const DEFAULT_API_KEY_PREFIXES: readonly string[] = [
  'sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'pk_live_', 'pk_test_', 'whsec_',
  'sk-', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'gldt-',
  'xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xapp-',
  'AKIA', 'ASIA', 'AIza', 'ya29.', 'SG.', 'npm_', 'pypi-', 'shpat_', 'shpss_', 'dop_v1_', 'hf_',
  'sq0atp-', 'sq0csp-', 'key-', 'api_', 'tl_',
];

export const DEFAULT_MIN_TAIL_LENGTH = 12;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The prefixes as a regex trie (`s(?:k(?:_live_|_test_|-)|q0…)|g(?:h…)…`): one branch per first
 * character instead of forty alternatives tried at every position of every value.
 */
export function prefixTrie(prefixes: readonly string[]): string {
  const groups = new Map<string, string[]>();
  let endsHere = false;
  for (const prefix of prefixes) {
    if (prefix === '') {
      endsHere = true;
      continue;
    }
    const rest = groups.get(prefix[0]) ?? [];
    rest.push(prefix.slice(1));
    groups.set(prefix[0], rest);
  }
  const branches = [...groups].map(([first, rests]) => {
    const tail = rests.length === 1 ? escape(rests[0]) : prefixTrie(rests);
    return escape(first) + tail;
  });
  if (branches.length === 0) return '';
  const body = branches.length === 1 && !endsHere ? branches[0] : `(?:${branches.join('|')})`;
  return endsHere ? `(?:${body})?` : body;
}

export function apiKeyDetector(action: CompiledAction, prefixes: readonly string[] = DEFAULT_API_KEY_PREFIXES, minTailLength = DEFAULT_MIN_TAIL_LENGTH): Detector {
  const regex = new RegExp(`(?<![A-Za-z0-9])${prefixTrie([...new Set(prefixes)])}[A-Za-z0-9_.=+/-]{${minTailLength},}`, 'g');
  return defineDetector('detectors.apiKey', action, (f) => f.maxRun >= minTailLength, regexSearch(regex));
}
