// The Baggage value the codec produces. It implements the `Baggage` interface of
// @opentelemetry/api, so OpenTelemetry code reads and updates it as usual. Our own class because
// propagation.createBaggage takes a Record, in which JavaScript puts integer-like keys ("100")
// before all others (losing header order), and because it remembers the canonical wire form of
// members that arrived in a header, so forwarding baggage unchanged costs no re-encoding.
import type { Baggage, BaggageEntry } from '@opentelemetry/api';

/** An immutable copy; the serializer skips an entry whose value is not a string. */
function frozenEntry(entry: BaggageEntry | undefined): BaggageEntry {
  const value = entry?.value as string;
  const metadata = entry?.metadata;
  return Object.freeze(metadata === undefined ? { value } : { value, metadata });
}

export class W3CBaggage implements Baggage {
  private static readonly EMPTY = new W3CBaggage(new Map(), new Map());

  /** Serialized header, when computed once by the codec. */
  private serializedCache: string | undefined;

  private constructor(
    private readonly entries: ReadonlyMap<string, BaggageEntry>,
    /** Canonical wire form (`key=value;props`) of members unchanged since they were parsed. */
    private readonly wire: ReadonlyMap<string, string>,
  ) {}

  static empty(): W3CBaggage {
    return W3CBaggage.EMPTY;
  }

  /** Build from entries in order; a later entry with the same key replaces the earlier value. */
  static fromEntries(entries: Iterable<readonly [string, BaggageEntry]>): W3CBaggage {
    const map = new Map<string, BaggageEntry>();
    for (const [key, entry] of entries) map.set(key, frozenEntry(entry));
    return map.size === 0 ? W3CBaggage.EMPTY : new W3CBaggage(map, new Map());
  }

  /**
   * For the codec: members parsed from a header, with the canonical wire form of each and of
   * the whole header. The entries must already be frozen and the wire forms valid.
   */
  static fromParsedMembers(entries: Map<string, BaggageEntry>, wire: Map<string, string>, serialized: string): W3CBaggage {
    if (entries.size === 0) return W3CBaggage.EMPTY;
    const baggage = new W3CBaggage(entries, wire);
    baggage.serializedCache = serialized;
    return baggage;
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.size;
  }

  getEntry(key: string): BaggageEntry | undefined {
    return this.entries.get(key);
  }

  getAllEntries(): [string, BaggageEntry][] {
    return Array.from(this.entries);
  }

  setEntry(key: string, entry: BaggageEntry): W3CBaggage {
    const entries = new Map(this.entries);
    entries.set(key, frozenEntry(entry));
    const wire = new Map(this.wire);
    wire.delete(key);
    return new W3CBaggage(entries, wire);
  }

  removeEntry(key: string): W3CBaggage {
    if (!this.entries.has(key)) return this;
    return this.removeEntries(key);
  }

  removeEntries(...keys: string[]): W3CBaggage {
    const entries = new Map(this.entries);
    const wire = new Map(this.wire);
    for (const key of keys) {
      entries.delete(key);
      wire.delete(key);
    }
    return entries.size === 0 ? W3CBaggage.EMPTY : new W3CBaggage(entries, wire);
  }

  clear(): W3CBaggage {
    return W3CBaggage.EMPTY;
  }

  /** For the codec: the canonical wire form of an unchanged parsed member. */
  wireForm(key: string): string | undefined {
    return this.wire.get(key);
  }

  /** For the codec: the serialized header, computed at most once per instance. */
  cachedSerialization(compute: () => string): string {
    if (this.serializedCache === undefined) this.serializedCache = compute();
    return this.serializedCache;
  }
}
