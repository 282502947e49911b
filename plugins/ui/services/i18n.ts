// Vietnamese first, English by switch. Strings live in i18n/vi.json and i18n/en.json (flat keys,
// `{name}` placeholders); both files must hold the same keys (a test checks). Dates are shown in
// Asia/Ho_Chi_Minh, numbers with the locale's separators ("12.345" in Vietnamese).
import { readFileSync } from 'node:fs';
import type { Localized } from '../../../core/validation/fields.ts';

export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return value === 'vi' || value === 'en';
}

export type Messages = Readonly<Record<string, string>>;

export function loadMessages(locale: Locale): Messages {
  return JSON.parse(readFileSync(new URL(`../i18n/${locale}.json`, import.meta.url), 'utf8'));
}

const PLACEHOLDER = /\{(\w+)\}/g;

export class Translator {
  readonly locale: Locale;
  private readonly messages: Messages;
  private readonly fallback: Messages;
  private readonly numberFormat: Intl.NumberFormat;
  private readonly decimalFormat: Intl.NumberFormat;
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly dateTimeFormat: Intl.DateTimeFormat;
  private readonly plural: Intl.PluralRules;

  constructor(locale: Locale, messages: Messages, fallback: Messages) {
    this.locale = locale;
    this.messages = messages;
    this.fallback = fallback;
    const tag = locale === 'vi' ? 'vi-VN' : 'en-GB';
    this.numberFormat = new Intl.NumberFormat(tag);
    this.decimalFormat = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
    this.dateFormat = new Intl.DateTimeFormat(tag, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' });
    this.dateTimeFormat = new Intl.DateTimeFormat(tag, {
      day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Ho_Chi_Minh',
    });
    this.plural = new Intl.PluralRules(tag);
  }

  has(key: string): boolean {
    return key in this.messages;
  }

  /** The message for `key` with `{name}` placeholders filled; `key.one`/`key.other` when `count` is given. */
  t(key: string, params?: Record<string, unknown>): string {
    let text: string | undefined;
    if (params && typeof params.count === 'number') {
      const form = this.plural.select(params.count);
      text = this.messages[`${key}.${form}`] ?? this.messages[`${key}.other`];
    }
    text ??= this.messages[key] ?? this.fallback[key] ?? key;
    if (!params) return text;
    return text.replace(PLACEHOLDER, (whole, name: string) => {
      const value = params[name];
      if (value === undefined || value === null) return whole;
      return typeof value === 'number' ? this.number(value) : String(value);
    });
  }

  /** A label declared as `{vi, en}` or a plain string. */
  label(value: Localized | null | undefined): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    return value[this.locale] ?? value.vi ?? value.en ?? '';
  }

  number(value: unknown): string {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? this.numberFormat.format(n) : '';
  }

  /** 1536 → "1,5 KB" (vi) / "1.5 KB" (en). */
  bytes(value: unknown): string {
    const n = typeof value === 'number' ? value : Number(value);
    if (value === null || value === undefined || value === '' || !Number.isFinite(n) || n < 0) return '';
    if (n < 1024) return `${this.numberFormat.format(n)} B`;
    const units = ['KB', 'MB', 'GB', 'TB'];
    let size = n / 1024;
    let unit = 0;
    while (size >= 1024 && unit < units.length - 1) {
      size /= 1024;
      unit++;
    }
    return `${this.decimalFormat.format(size)} ${units[unit]}`;
  }

  /** CKAN's naive-UTC datetimes ("2026-01-02T03:04:05.123456") or ISO dates, in Vietnam's time. */
  date(value: unknown, withTime = false): string {
    const date = toDate(value);
    if (!date) return typeof value === 'string' ? value : '';
    // A bare date ("2026-01-02") is a calendar date, not an instant: show it as written.
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const [y, m, d] = value.split('-');
      return this.locale === 'vi' || this.locale === 'en' ? `${d}/${m}/${y}` : value;
    }
    return (withTime ? this.dateTimeFormat : this.dateFormat).format(date);
  }

  dateTime(value: unknown): string {
    return this.date(value, true);
  }
}

export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string' || !value) return null;
  let text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)) text += 'Z'; // naive UTC, as CKAN sends it
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

export class I18n {
  private readonly translators: Record<Locale, Translator>;
  readonly defaultLocale: Locale;

  constructor(defaultLocale: string) {
    const vi = loadMessages('vi');
    const en = loadMessages('en');
    this.translators = { vi: new Translator('vi', vi, en), en: new Translator('en', en, vi) };
    this.defaultLocale = isLocale(defaultLocale) ? defaultLocale : 'vi';
  }

  get(locale: Locale): Translator {
    return this.translators[locale];
  }
}
