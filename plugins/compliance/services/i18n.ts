// Text shown to people, in Vietnamese and English. Statuses and explanations carry both (`{vi, en}`);
// error messages that CKAN clients print as plain strings are joined ("… / …") unless the province
// picks one language with compliance.language.

export type Localized = string | { vi: string; en: string };
export type Language = 'vi' | 'en' | 'both';

export function t(vi: string, en: string): { vi: string; en: string } {
  return { vi, en };
}

/** One string for a message, in the configured language. */
export function say(text: Localized, language: Language): string {
  if (typeof text === 'string') return text;
  if (language === 'vi') return text.vi;
  if (language === 'en') return text.en;
  return text.vi === text.en ? text.vi : `${text.vi} / ${text.en}`;
}

export function vi(text: Localized): string {
  return typeof text === 'string' ? text : text.vi;
}

export function en(text: Localized): string {
  return typeof text === 'string' ? text : text.en;
}
