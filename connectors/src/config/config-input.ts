// The shape of a configuration file, of loadConfig() overrides and of what the environment
// contributes: the resolved ThreadlineConfig with every field optional.
import { isRecord } from './json-pointer';
import type { ThreadlineConfig } from './types';

export type DeepPartial<T> = T extends readonly (infer Item)[]
  ? DeepPartial<Item>[]
  : T extends object
    ? { [Key in keyof T]?: DeepPartial<T[Key]> }
    : T;

export type ThreadlineConfigInput = DeepPartial<ThreadlineConfig>;

/**
 * Merges layers, later ones winning field by field: mappings merge key by key (so headers and
 * attributes from several sources combine), lists and plain values replace, undefined is skipped.
 */
export function mergeLayers<T>(...layers: readonly (T | undefined)[]): T {
  let result: unknown = undefined;
  for (const layer of layers) result = mergeTwo(result, layer);
  return result as T;
}

function mergeTwo(base: unknown, over: unknown): unknown {
  if (over === undefined) return cloneValue(base);
  if (isRecord(base) && isRecord(over)) {
    const merged: Record<string, unknown> = cloneValue(base) as Record<string, unknown>;
    for (const [key, value] of Object.entries(over)) {
      if (value !== undefined) merged[key] = mergeTwo(merged[key], value);
    }
    return merged;
  }
  return cloneValue(over);
}

function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (isRecord(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) copy[key] = cloneValue(item);
    return copy;
  }
  return value;
}
