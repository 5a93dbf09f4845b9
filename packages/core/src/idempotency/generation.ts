/** Slots a new generation starts with; the table doubles as it fills. */
const INITIAL_SLOTS = 1024;
/** Bytes of entry text a new generation starts with; doubles as needed. */
const INITIAL_BYTES = 16 * 1024;
/** Marks a code unit that does not fit in one byte: it follows as two bytes. */
const WIDE = 0xff;

/**
 * Handled ids of one generation of the memory store, and when the last of them expires.
 *
 * The ids live in typed arrays, not in a Map of strings: an open-addressing
 * table of (hash, entry) pairs, and the entries' text laid end to end.
 * Keeping no string per id spares the garbage collector from copying each one
 * into the old generation and tracing it there, and a lookup touches one cache
 * line of the table (plus the id's own bytes when the hash matches), which
 * matters on a server that did other work, such as an Ed25519 check, since the last
 * delivery. An entry is the provider's number followed by the id, and a match
 * compares all of it, so ids that share a hash are never confused.
 *
 * Entry text is stored one byte per UTF-16 code unit below 0xff, which covers
 * the ids CRMs send (UUIDs, numbers), and as WIDE plus two bytes otherwise.
 */
export class Generation {
  size = 0;
  expiresAt = 0;
  /** Per slot: the entry's hash, then 1 + the entry's number (0: empty slot). */
  #slots: Int32Array;
  #mask: number;
  /** Where each entry starts in #bytes; entry n ends where entry n + 1 starts. */
  #starts: Int32Array;
  /** Every entry's text: the provider's number, then the id's code units. */
  #bytes: Uint8Array;

  /**
   * An empty generation; `sizedLike` gives the room a full one took, so that the
   * successor of a full generation does not grow its tables again step by step.
   */
  constructor(sizedLike?: Generation) {
    const slots = sizedLike === undefined ? INITIAL_SLOTS : sizedLike.#mask + 1;
    this.#slots = new Int32Array(2 * slots);
    this.#mask = slots - 1;
    this.#starts = new Int32Array((sizedLike === undefined ? INITIAL_SLOTS / 2 : sizedLike.size) + 1);
    this.#bytes = new Uint8Array(sizedLike === undefined ? INITIAL_BYTES : sizedLike.#starts[sizedLike.size]!);
  }

  /** Whether the provider's id is in this generation; `hash` is {@link idHash} of the id. */
  has(provider: number, deliveryId: string, hash: number): boolean {
    return this.#find(provider, deliveryId, hash) >= 0;
  }

  /** Adds the provider's id; false if it was there already. */
  add(provider: number, deliveryId: string, hash: number): boolean {
    let slot = this.#find(provider, deliveryId, hash);
    if (slot >= 0) return false;
    // Keep the table at most half full, so that a search ends within a few slots.
    if (2 * (this.size + 1) > this.#mask + 1) {
      this.#grow();
      slot = this.#find(provider, deliveryId, hash);
    }
    const entry = this.size;
    this.#append(entry, provider, deliveryId);
    const at = 2 * ~slot;
    this.#slots[at] = hash;
    this.#slots[at + 1] = entry + 1;
    this.size = entry + 1;
    return true;
  }

  /** The slot holding the id, or `~slot` of the empty slot where it would go. */
  #find(provider: number, deliveryId: string, hash: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[2 * slot + 1]!;
      if (entry === 0) return ~slot;
      if (slots[2 * slot] === hash && this.#holds(entry - 1, provider, deliveryId)) return slot;
    }
  }

  #holds(entry: number, provider: number, deliveryId: string): boolean {
    const end = this.#starts[entry + 1]!;
    let at = this.#starts[entry]!;
    if (end - at < deliveryId.length + 1) return false;
    const bytes = this.#bytes;
    at = matchUnit(bytes, at, provider);
    for (let index = 0; index < deliveryId.length && at >= 0; index += 1) at = matchUnit(bytes, at, deliveryId.charCodeAt(index));
    return at === end;
  }

  #append(entry: number, provider: number, deliveryId: string): void {
    const start = this.#starts[entry]!;
    const room = start + 3 * (deliveryId.length + 1);
    if (room > this.#bytes.length) this.#bytes = enlarged(this.#bytes, room);
    if (entry + 2 > this.#starts.length) this.#starts = enlarged(this.#starts, entry + 2);
    const bytes = this.#bytes;
    let at = writeUnit(bytes, start, provider);
    for (let index = 0; index < deliveryId.length; index += 1) at = writeUnit(bytes, at, deliveryId.charCodeAt(index));
    this.#starts[entry + 1] = at;
  }

  /** Doubles the table; entries keep their numbers and hashes, so nothing is hashed again. */
  #grow(): void {
    const old = this.#slots;
    const mask = 2 * (this.#mask + 1) - 1;
    const slots = new Int32Array(2 * (mask + 1));
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] === 0) continue;
      let slot = old[at]! & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[at]!;
      slots[2 * slot + 1] = old[at + 1]!;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** Writes one code unit of entry text at `at`; where the next one goes. */
function writeUnit(bytes: Uint8Array, at: number, unit: number): number {
  if (unit < WIDE) {
    bytes[at] = unit;
    return at + 1;
  }
  bytes[at] = WIDE;
  bytes[at + 1] = unit >>> 8;
  bytes[at + 2] = unit & 0xff;
  return at + 3;
}

/** Where the next code unit starts if the one at `at` is `unit`, else -1. */
function matchUnit(bytes: Uint8Array, at: number, unit: number): number {
  if (unit < WIDE) return bytes[at] === unit ? at + 1 : -1;
  return bytes[at] === WIDE && bytes[at + 1] === unit >>> 8 && bytes[at + 2] === (unit & 0xff) ? at + 3 : -1;
}

/** A copy of the array at least `length` long, doubled so that growth costs O(1) per element. */
function enlarged<T extends Int32Array | Uint8Array>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(Math.max(length, 2 * array.length));
  copy.set(array);
  return copy;
}

/** FNV-1a over the id's UTF-16 code units, as a signed 32-bit integer (a small integer to V8). */
export function idHash(deliveryId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < deliveryId.length; index += 1) {
    hash = Math.imul(hash ^ deliveryId.charCodeAt(index), 0x01000193);
  }
  return hash | 0;
}
