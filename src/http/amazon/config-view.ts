import type { EffectiveAmazonSettings } from '../../config/effective-amazon-settings.js';

/** Secrets shorter than this are shown fully masked (a few characters would be too many). */
const MIN_PARTIAL_LENGTH = 12;

/** `wJalrXUtnFEMI/K7MDENG` → `wJ…NG`; short secrets → `••••` (whatever their length). */
export function maskSecret(value: string): string {
  if (value.length < MIN_PARTIAL_LENGTH) return '••••';
  return `${value.slice(0, 2)}…${value.slice(-2)}`;
}

/** A setting as `GET /config` shows it. */
export interface SettingView {
  value: string | number | boolean | null;
  source: 'default' | 'env' | 'stored';
  secret: boolean;
}

/** The answer of `GET /config`: every setting, secrets masked, with where it comes from. */
export function configView(effective: EffectiveAmazonSettings): {
  provider: string;
  marketplace: string;
  updated_at: string | null;
  settings: Record<string, SettingView>;
} {
  const settings: Record<string, SettingView> = {};
  for (const [key, f] of effective.fields) {
    const value = f.value === undefined ? null : f.value;
    settings[key] = {
      value: f.secret && value !== null ? maskSecret(String(value)) : value,
      source: f.source,
      secret: f.secret,
    };
  }
  return {
    provider: effective.settings.provider,
    marketplace: effective.settings.marketplace,
    updated_at: effective.updatedAt,
    settings,
  };
}
