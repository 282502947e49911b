// The living slots of the memory index kept sorted by one key (the id; a date then the id), so a
// page deep in a large result under that order is a walk along it rather than a sort of every
// match: a harvester's `sort=id asc`, ckanext-dcat's newest-first catalogue.
import { grown } from './growable.ts';

export class SlotOrder {
  private slots = new Int32Array(64);
  private entries = 0;
  /** Whether the order holds every living slot (a lazily built one holds nothing until built). */
  ready: boolean;
  /** Compares two slots (living or dead: a dead slot keeps its values until compaction). */
  private readonly compare: (a: number, b: number) => number;

  constructor(compare: (a: number, b: number) => number, options: { ready: boolean }) {
    this.compare = compare;
    this.ready = options.ready;
  }

  /** The living slots, in order. */
  view(): Int32Array {
    return this.slots.subarray(0, this.entries);
  }

  build(living: Int32Array): void {
    this.slots = Int32Array.from(living).sort(this.compare);
    this.entries = living.length;
    this.ready = true;
  }

  /** A new living slot (or the new slot of a rewritten dataset, its old one removed first). */
  insert(slot: number): void {
    if (!this.ready) return;
    const at = this.find(slot);
    this.slots = grown(this.slots, this.entries + 1);
    this.slots.copyWithin(at + 1, at, this.entries);
    this.slots[at] = slot;
    this.entries++;
  }

  remove(slot: number): void {
    if (!this.ready) return;
    const at = this.find(slot);
    if (at >= this.entries || this.slots[at] !== slot) return;
    this.slots.copyWithin(at, at + 1, this.entries);
    this.entries--;
  }

  /** After compaction: the same order under the new slot numbers. */
  renumber(remap: Int32Array): void {
    for (let i = 0; i < this.entries; i++) this.slots[i] = remap[this.slots[i]];
  }

  /** The first position whose slot does not come before `slot`. */
  private find(slot: number): number {
    let low = 0;
    let high = this.entries;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(this.slots[mid], slot) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
