import { signal } from '@preact/signals';
import { en, type MessageKey } from './en.js';
import { fr } from './fr.js';

export type Locale = 'en' | 'fr';
const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, fr };
const STORED = 'code2asin.locale';

function initialLocale(): Locale {
  const stored = localStorage.getItem(STORED);
  if (stored === 'en' || stored === 'fr') return stored;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** The UI language: from the browser, switchable (kept in localStorage; no secret there). */
export const locale = signal<Locale>(initialLocale());

export function setLocale(next: Locale): void {
  locale.value = next;
  localStorage.setItem(STORED, next);
  document.documentElement.lang = next;
}

/** The message `key` in the current language, `{name}` replaced by `params.name`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = MESSAGES[locale.value][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** True when a message exists (for codes the API sends, e.g. reasons). */
export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

export const formatNumber = (n: number, digits = 0) =>
  new Intl.NumberFormat(locale.value, { maximumFractionDigits: digits }).format(n);
export const formatDate = (iso: string | null | undefined) =>
  iso
    ? new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(iso),
      )
    : '—';
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const [unit, size] = units.find(([, s]) => seconds >= s) ?? ['second', 1];
  return new Intl.NumberFormat(locale.value, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 0,
  }).format(seconds / size);
}
