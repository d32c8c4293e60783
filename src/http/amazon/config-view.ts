import type { EffectiveAmazonSettings } from '../../config/effective-amazon-settings.js';

/** A setting as `GET /config` shows it. */
export interface SettingView {
  /** The value; always null for a secret (nothing of a secret is ever shown). */
  value: string | number | boolean | null;
  source: 'default' | 'env' | 'stored';
  secret: boolean;
  /** Secrets only: whether a value is set (by `source`). */
  set?: boolean;
}

/**
 * The answer of `GET /config`: every setting with where it comes from. A secret is shown as set
 * or not set, never any part of its value (not even to admins): a few characters of a short
 * secret narrow a guess, and the settings page needs only to know that it is there.
 */
export function configView(effective: EffectiveAmazonSettings): {
  provider: string;
  marketplace: string;
  updated_at: string | null;
  settings: Record<string, SettingView>;
} {
  const settings: Record<string, SettingView> = {};
  for (const [key, f] of effective.fields) {
    const value = f.value === undefined ? null : f.value;
    settings[key] = f.secret
      ? { value: null, set: value !== null && value !== '', source: f.source, secret: true }
      : { value, source: f.source, secret: false };
  }
  return {
    provider: effective.settings.provider,
    marketplace: effective.settings.marketplace,
    updated_at: effective.updatedAt,
    settings,
  };
}
