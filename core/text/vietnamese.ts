// Vietnamese text rules used everywhere Kho touches user text: NFC on input, đ→d folding for search
// and slugs. Vietnamese letters carry stacked marks (ệ = e + circumflex + dot below) that can arrive
// precomposed or decomposed; comparing or indexing without NFC makes "Hà Nội" ≠ "Hà Nội".

const COMBINING_MARKS = /[\u0300-\u036f]/g;

export function nfc(text: string): string {
  return text.normalize('NFC');
}

/** Recursively NFC-normalise every string in a JSON-like value (keys included). */
export function nfcDeep<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map(nfcDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key.normalize('NFC')] = nfcDeep(inner);
    return out as T;
  }
  return value;
}

/** Remove diacritics and fold đ/Đ to d/D: "Đà Nẵng" → "Da Nang". Case is kept. */
export function foldDiacritics(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/**
 * A CKAN-valid name proposed from a title: "Sở Tài nguyên và Môi trường" → "so-tai-nguyen-va-moi-truong".
 * The result matches CKAN's name rule ([a-z0-9_-], 2–100 chars) whenever the input has at least one
 * letter or digit.
 */
export function slugify(text: string, maxLength = 100): string {
  const slug = foldDiacritics(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}
