// Actions compiled into functions over text. `apply` returns the new text, or undefined when the
// value must be dropped: the drop action itself, and a hash action without its key (fail
// closed: a value is never hashed with a missing or empty key).
import { createHmac } from 'node:crypto';
import { HASH_PREFIX, REDACTED } from './constants';
import type { ActionType, RuleAction } from './rules-document';

export interface CompiledAction {
  readonly type: ActionType;
  /** For explain, e.g. `mask (keep 4)`. */
  readonly label: string;
  apply(text: string): string | undefined;
}

export interface HashSettings {
  /** undefined when the variable is unset: hash actions then drop. */
  key: Buffer | undefined;
  /** Hex characters kept. */
  length: number;
}

const MASK = '****';

function normalise(action: RuleAction): Exclude<RuleAction, string> {
  return typeof action === 'string' ? ({ type: action } as Exclude<RuleAction, string>) : action;
}

export const DROP_ACTION: CompiledAction = { type: 'drop', label: 'drop', apply: () => undefined };
export const KEEP_ACTION: CompiledAction = { type: 'keep', label: 'keep', apply: (text) => text };

export function replaceAction(text: string): CompiledAction {
  return { type: 'replace', label: `replace with "${text}"`, apply: () => text };
}

export const REDACT_ACTION = replaceAction(REDACTED);

export function compileAction(action: RuleAction, hash: HashSettings): CompiledAction {
  const spec = normalise(action);
  switch (spec.type) {
    case 'drop':
      return DROP_ACTION;
    case 'keep':
      return KEEP_ACTION;
    case 'replace':
      return spec.with === undefined ? REDACT_ACTION : replaceAction(spec.with);
    case 'mask': {
      const keep = spec.keep ?? 0;
      const fromStart = spec.keepFrom === 'start';
      return {
        type: 'mask',
        label: keep === 0 ? 'mask' : `mask (keep ${keep} at the ${fromStart ? 'start' : 'end'})`,
        // Never more than half of the value stays visible, whatever `keep` says.
        apply: (text) => {
          const kept = Math.min(keep, Math.floor(text.length / 2));
          if (kept === 0) return MASK;
          return fromStart ? text.slice(0, kept) + MASK : MASK + text.slice(text.length - kept);
        },
      };
    }
    case 'hash': {
      const { key, length } = hash;
      if (key === undefined || key.length === 0) return { type: 'hash', label: 'hash (no key: dropped)', apply: () => undefined };
      return {
        type: 'hash',
        label: 'hash',
        apply: (text) => HASH_PREFIX + createHmac('sha256', key).update(text, 'utf8').digest('hex').slice(0, length),
      };
    }
  }
}
