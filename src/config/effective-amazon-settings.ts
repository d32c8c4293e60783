import type { Kysely } from 'kysely';
import type { AmazonSettings } from './env.js';
import type { DB } from '../db/schema.js';
import {
  AMAZON_SETTING_FIELDS,
  defaultSettingValue,
  parseSettingValue,
  settingField,
  toAmazonSettings,
  type SettingValue,
} from './amazon-setting-fields.js';
import type { Config } from './env.js';
import { isProviderName, PROVIDER_RATE_DEFAULTS } from './provider-names.js';
import {
  providerSettingsVersion,
  readProviderSettings,
  type SecretKeys,
  type StoredSetting,
} from './provider-settings.js';
import { SettingsError } from './settings-error.js';

/** Where an effective value comes from; later sources win: default < env < stored. */
export type SettingSource = 'default' | 'env' | 'stored';

/** One effective setting. `value` is undefined when nothing sets it. */
export interface EffectiveSetting {
  value: SettingValue | undefined;
  source: SettingSource;
  secret: boolean;
}

/** The settings the Amazon client uses, and where each came from. */
export interface EffectiveAmazonSettings {
  settings: AmazonSettings;
  fields: ReadonlyMap<string, EffectiveSetting>;
  /** Latest `updated_at` of the stored values, null when nothing is stored. */
  updatedAt: string | null;
}

/** Reads the stored Amazon settings and merges them over the environment and the defaults. */
export async function loadAmazonSettings(
  db: Kysely<DB>,
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  keys: SecretKeys,
): Promise<EffectiveAmazonSettings> {
  const stored = await readProviderSettings(db, 'amazon', keys);
  return mergeAmazonSettings(config, stored);
}

/**
 * How often a process checks whether the stored Amazon settings changed: a credential rotated
 * through `PUT /api/v1/amazon/config` is used by every process (the API, the `serve` worker child,
 * `code2asin worker`, `map`) within this, without a restart.
 */
export const SETTINGS_CHECK_MS = 2_000;

/**
 * The effective Amazon settings of a long-running process, kept current: at most every `checkMs`
 * a call compares the stored rows' fingerprint (one small query, nothing decrypted) and re-reads
 * the settings only when it changed. New settings give new clients (`AmazonClients.clientFor`
 * keys them by their values), so a rotated secret takes effect at the next request.
 */
export function watchAmazonSettings(
  db: Kysely<DB>,
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  keys: SecretKeys,
  options: { checkMs?: number; now?: () => number } = {},
): () => Promise<AmazonSettings> {
  const checkMs = options.checkMs ?? SETTINGS_CHECK_MS;
  const now = options.now ?? Date.now;
  let loaded: { version: string; settings: AmazonSettings } | null = null;
  let checkedAt = -Infinity;
  let checking: Promise<AmazonSettings> | null = null;

  const check = async (): Promise<AmazonSettings> => {
    // The time before the read: a change committed while it runs is seen by the next check.
    const started = now();
    const version = await providerSettingsVersion(db, 'amazon');
    if (loaded?.version !== version) {
      const { settings } = await loadAmazonSettings(db, config, keys);
      loaded = { version, settings };
    }
    checkedAt = started;
    return loaded.settings;
  };

  return () => {
    if (loaded && now() - checkedAt < checkMs) return Promise.resolve(loaded.settings);
    // Lookups in flight share one check. A failed one (unreadable stored settings) is retried at
    // the next call instead of serving the settings it could not replace.
    checking ??= check().finally(() => (checking = null));
    return checking;
  };
}

/** defaults < environment < stored, field by field. */
export function mergeAmazonSettings(
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  stored: ReadonlyMap<string, StoredSetting>,
): EffectiveAmazonSettings {
  const fromEnv = new Set(config.fromEnvironment);
  const fields = new Map<string, EffectiveSetting>();
  let updatedAt: string | null = null;
  for (const f of AMAZON_SETTING_FIELDS) {
    const row = stored.get(f.key);
    if (row) {
      const parsed = parseSettingValue(f, row.value);
      if (!parsed.ok) {
        throw new SettingsError(
          'invalid_settings',
          `The stored Amazon setting "${f.key}" ${parsed.problem}: store a valid value or remove it with PUT /api/v1/amazon/config {"${f.key}": null}.`,
          { problems: [{ field: f.key, problem: parsed.problem }] },
        );
      }
      fields.set(f.key, { value: parsed.value, source: 'stored', secret: f.secret });
      if (updatedAt === null || row.updatedAt > updatedAt) updatedAt = row.updatedAt;
    } else if (fromEnv.has(f.variable)) {
      fields.set(f.key, { value: f.fromConfig(config.amazon), source: 'env', secret: f.secret });
    } else {
      fields.set(f.key, { value: defaultSettingValue(f), source: 'default', secret: f.secret });
    }
  }
  applyProviderRateDefaults(fields);
  // AMAZON_CHAIN_RATES is no stored field: without it here, every process (serve, worker, map)
  // paced a chain's other providers at their defaults (Creators 1/s) whatever it said.
  const { chainRates } = config.amazon;
  const settings = { ...settingsOf(fields), ...(chainRates ? { chainRates } : {}) };
  return { settings, fields, updatedAt };
}

/** A rate nobody set follows the provider's published quota (SP-API: 2/s, burst 2). */
function applyProviderRateDefaults(fields: Map<string, EffectiveSetting>): void {
  const provider = fields.get('provider')?.value;
  const own = isProviderName(provider) ? PROVIDER_RATE_DEFAULTS[provider] : undefined;
  if (!own) return;
  for (const key of ['tps', 'burst'] as const) {
    const f = fields.get(key);
    if (f?.source === 'default') fields.set(key, { ...f, value: own[key] });
  }
}

/**
 * The effective settings with a validated update laid over them, without storing it (to test
 * settings before saving them). A null in the update falls back to the environment or default.
 */
export function overlaySettings(
  base: EffectiveAmazonSettings,
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  update: ReadonlyMap<string, string | null>,
): EffectiveAmazonSettings {
  const stored = new Map<string, StoredSetting>();
  for (const [key, f] of base.fields) {
    if (f.source === 'stored' && f.value !== undefined) {
      stored.set(key, {
        value: String(f.value),
        secret: f.secret,
        updatedAt: base.updatedAt ?? '',
      });
    }
  }
  for (const [key, value] of update) {
    if (value === null) stored.delete(key);
    else stored.set(key, { value, secret: settingField(key)?.secret ?? false, updatedAt: '' });
  }
  return mergeAmazonSettings(config, stored);
}

function settingsOf(fields: ReadonlyMap<string, EffectiveSetting>): AmazonSettings {
  const values = new Map<string, SettingValue | undefined>();
  for (const [key, f] of fields) values.set(key, f.value);
  return toAmazonSettings(values);
}
