// Hydra paging in a DCAT page (ckanext-dcat's hydra:PagedCollection, or the newer
// hydra:PartialCollectionView): where the next page is, and how many items there are.
import type { Store, Term } from 'n3';
import { HYDRA } from './namespaces.ts';

export interface PagingInfo {
  next: string | null;
  totalItems: number | null;
}

export function pagingInfo(store: Store, pageUrl: string): PagingInfo {
  const nexts: Array<{ subject: Term; next: string }> = [];
  for (const predicate of [HYDRA('next'), HYDRA('nextPage')]) {
    for (const quad of store.getQuads(null, predicate, null, null)) {
      if (quad.object.value) nexts.push({ subject: quad.subject as Term, next: quad.object.value });
    }
  }
  // The view describing this very page wins; otherwise any view the page carries.
  const own = nexts.find((entry) => entry.subject.value === pageUrl) ?? nexts[0] ?? null;
  let totalItems: number | null = null;
  for (const quad of store.getQuads(null, HYDRA('totalItems'), null, null)) {
    const value = Number(quad.object.value);
    if (Number.isFinite(value)) totalItems = value;
  }
  return { next: own ? new URL(own.next, pageUrl).toString() : null, totalItems };
}
