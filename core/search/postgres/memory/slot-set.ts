// A set of document slots as a bitset: the memory index answers a boolean query by combining the
// sets of its clauses, whatever the order of the posting lists they come from.

export class SlotSet {
  readonly words: Uint32Array;

  constructor(capacity: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array((capacity + 31) >>> 5);
  }

  copy(): SlotSet {
    return new SlotSet(0, this.words.slice());
  }

  add(slot: number): void {
    this.words[slot >>> 5] |= 1 << (slot & 31);
  }

  addAll(slots: ArrayLike<number>, length = slots.length): void {
    const words = this.words;
    for (let i = 0; i < length; i++) {
      const slot = slots[i];
      words[slot >>> 5] |= 1 << (slot & 31);
    }
  }

  has(slot: number): boolean {
    return (this.words[slot >>> 5] & (1 << (slot & 31))) !== 0;
  }

  and(other: SlotSet): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i] &= b[i];
    return this;
  }

  or(other: SlotSet): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i] |= b[i];
    return this;
  }

  andNot(other: SlotSet): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i] &= ~b[i];
    return this;
  }

  count(): number {
    let total = 0;
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      let v = words[i];
      if (!v) continue;
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      total += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return total;
  }

  /** The slots in ascending order. */
  toArray(): Int32Array {
    const out = new Int32Array(this.count());
    let k = 0;
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      let v = words[i];
      while (v) {
        const bit = 31 - Math.clz32(v & -v);
        out[k++] = (i << 5) + bit;
        v &= v - 1;
      }
    }
    return out;
  }
}
