// package_revise's dictionary operations (CKAN's check_dict, filter_glob_match, update_merge_* in
// ckan/lib/navl/dictization_functions.py): match a dataset against expected values, drop keys by
// glob, deep-merge updates, and address list items by index or by an id prefix of 5+ characters.
// Keys come from the client, so every test is for an own key and every write defines one: a key
// named "__proto__" or "constructor" is a key like any other here, as it is in CKAN's Python dicts.
import type { DataDict } from '../types.ts';
import { isPlainObject, setOwn } from '../../validation/navl.ts';

const has = (data: object, key: string) => Object.hasOwn(data, key);

type Path = Array<string | number>;

export class ReviseError extends Error {}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function checkDict(data: unknown, select: DataDict, parent: Path = []): Path[] {
  if (!isPlainObject(data)) return [parent];
  const unmatched: Path[] = [];
  for (const key of Object.keys(select).sort()) {
    const value = select[key];
    if (!has(data, key)) unmatched.push([...parent, key]);
    else if (isPlainObject(value)) unmatched.push(...checkDict(data[key], value, [...parent, key]));
    else if (Array.isArray(value)) unmatched.push(...checkList(data[key], value, [...parent, key]));
    else if (!sameValue(data[key], value)) unmatched.push([...parent, key]);
  }
  return unmatched;
}

function checkList(data: unknown, select: unknown[], parent: Path): Path[] {
  if (!Array.isArray(data)) return [parent];
  const unmatched: Path[] = [];
  select.forEach((value, index) => {
    if (index >= data.length) unmatched.push([...parent, index]);
    else if (isPlainObject(value)) unmatched.push(...checkDict(data[index], value, [...parent, index]));
    else if (Array.isArray(value)) unmatched.push(...checkList(data[index], value, [...parent, index]));
    else if (!sameValue(data[index], value)) unmatched.push([...parent, index]);
  });
  return unmatched;
}

const joinPath = (path: Path) => path.map(String).join('__');

/** Find the value at "resources__1__url" or "resources__1492a__url" (id prefix of 5+ characters). */
export function resolveStringKey(data: unknown, stringKey: string): { value: any; path: Path } {
  const path: Path = [];
  let current: any = data;
  for (const key of stringKey.split('__')) {
    if (isPlainObject(current)) {
      if (!has(current, key)) throw new ReviseError(`Unmatched key ${joinPath([...path, key])}`);
      path.push(key);
      current = current[key];
      continue;
    }
    if (!Array.isArray(current)) throw new ReviseError(`Unmatched key ${joinPath([...path, key])}`);
    if (key.length >= 5) {
      const index = current.findIndex((item) => isPlainObject(item) && typeof item.id === 'string' && item.id.startsWith(key));
      if (index < 0) throw new ReviseError(`Unmatched key ${joinPath([...path, key])}`);
      path.push(index);
      current = current[index];
      continue;
    }
    const index = /^-?\d+$/.test(key) ? Number(key) : NaN;
    if (Number.isNaN(index) || index < -current.length || index >= current.length) {
      throw new ReviseError(`Unmatched key ${joinPath([...path, key])}`);
    }
    const resolved = index < 0 ? current.length + index : index;
    path.push(resolved);
    current = current[resolved];
  }
  return { value: current, path };
}

export function checkStringKey(data: DataDict, stringKey: string, value: unknown): Path[] {
  const { value: current, path } = resolveStringKey(data, stringKey);
  if (isPlainObject(value)) return checkDict(current, value, path);
  if (Array.isArray(value)) return checkList(current, value, path);
  return sameValue(current, value) ? [] : [path];
}

/** Remove keys by glob ("resources__*__url", "-*", "+title"); the first matching pattern wins. */
export function filterGlobMatch(data: unknown, patterns: string[]): void {
  filterParsed(
    data,
    patterns.map((pattern) => ({ keep: pattern.startsWith('+'), globs: pattern.replace(/^[-+]+/, '').split('__') })),
  );
}

function filterParsed(data: unknown, parsed: Array<{ keep: boolean; globs: string[] }>): void {
  if (isPlainObject(data)) {
    const protectedKeys: DataDict = {};
    const children = new Map<string, Array<{ keep: boolean; globs: string[] }>>();
    for (const { keep, globs } of parsed) {
      const [head, ...rest] = globs;
      if (head === '*') {
        if (keep) for (const key of Object.keys(data)) setOwn(protectedKeys, key, data[key]);
        else for (const key of Object.keys(data)) delete data[key];
        continue;
      }
      if (!has(data, head)) continue;
      if (rest.length) children.set(head, [...(children.get(head) ?? []), { keep, globs: rest }]);
      else if (keep) setOwn(protectedKeys, head, data[head]);
      else delete data[head];
    }
    for (const key of Object.keys(protectedKeys)) setOwn(data, key, protectedKeys[key]);
    for (const [head, globs] of children) if (has(data, head)) filterParsed(data[head], globs);
    return;
  }
  if (!Array.isArray(data)) return;
  const protectedIdx = new Set<number>();
  const removed = new Set<number>();
  const children = new Map<number, Array<{ keep: boolean; globs: string[] }>>();
  for (const { keep, globs } of parsed) {
    const [head, ...rest] = globs;
    if (head === '*') {
      for (let i = 0; i < data.length; i++) {
        if (keep && !removed.has(i)) protectedIdx.add(i);
        if (!keep && !protectedIdx.has(i)) removed.add(i);
      }
      continue;
    }
    let index: number;
    try {
      index = resolveStringKey(data, head).path[0] as number;
    } catch {
      continue;
    }
    if (rest.length) children.set(index, [...(children.get(index) ?? []), { keep, globs: rest }]);
    else if (keep) {
      if (!removed.has(index)) protectedIdx.add(index);
    } else if (!protectedIdx.has(index)) removed.add(index);
  }
  for (const [index, globs] of children) {
    if (!(removed.has(index) && !protectedIdx.has(index))) filterParsed(data[index], globs);
  }
  const keepItems = data.filter((_item, i) => !(removed.has(i) && !protectedIdx.has(i)));
  data.splice(0, data.length, ...keepItems);
}

export function updateMergeDict(data: DataDict, update: unknown, parent: Path = []): void {
  if (!isPlainObject(update)) throw new ReviseError(`Expected dict for ${joinPath(parent)}`);
  for (const [key, value] of Object.entries(update)) {
    if (!has(data, key)) setOwn(data, key, value);
    else if (isPlainObject(data[key])) updateMergeDict(data[key], value, [...parent, key]);
    else if (Array.isArray(data[key])) updateMergeList(data[key], value, [...parent, key]);
    else setOwn(data, key, value);
  }
}

function updateMergeList(data: unknown[], update: unknown, parent: Path): void {
  if (!Array.isArray(update)) throw new ReviseError(`Expected list for ${joinPath(parent)}`);
  update.forEach((value, index) => {
    if (index >= data.length) data.push(value);
    else if (isPlainObject(data[index])) updateMergeDict(data[index] as DataDict, value, [...parent, index]);
    else if (Array.isArray(data[index])) updateMergeList(data[index] as unknown[], value, [...parent, index]);
    else data[index] = value;
  });
}

/** "resources__extend" appends; "resources__1__name" or "notes" sets; dicts deep-merge. */
export function updateMergeStringKey(data: DataDict, stringKey: string, value: unknown): void {
  const parts = stringKey.split('__');
  const last = parts.pop()!;
  const parentKey = parts.join('__');
  const { value: current, path } = parentKey ? resolveStringKey(data, parentKey) : { value: data, path: [] as Path };
  if (isPlainObject(current)) {
    updateMergeDict(current, { [last]: value }, path);
  } else if (Array.isArray(current)) {
    if (last === 'extend') {
      if (!Array.isArray(value)) throw new ReviseError(`Expected list for ${parentKey}`);
      current.push(...value);
      return;
    }
    const { value: child, path: childPath } = resolveStringKey(current, last);
    const index = childPath[0] as number;
    if (isPlainObject(child)) updateMergeDict(child, value, [...path, index]);
    else if (Array.isArray(child)) updateMergeList(child, value, [...path, index]);
    else current[index] = value;
  } else {
    throw new ReviseError(`Expected list or dict for ${parentKey}`);
  }
}

export { joinPath };
