import type { AmazonSettings } from './env.js';
import { findMarketplace, MARKETPLACES } from './marketplaces.js';
import { DEFAULTS, VARIABLES, type Config, type VariableName } from './env.js';
import { isProviderName, type ProviderName } from './provider-names.js';
import { SettingsError } from './settings-error.js';

/** A value of one Amazon setting, as the API shows and takes it. */
export type SettingValue = string | number | boolean;

/** One Amazon setting: its API key, the environment variable it overrides, and its JSON type. */
export interface AmazonSettingField {
  readonly key: string;
  readonly variable: VariableName;
  readonly type: 'string' | 'number' | 'integer' | 'boolean';
  readonly secret: boolean;
  /** Reads the value from the environment's settings. */
  readonly fromConfig: (amazon: Config['amazon']) => SettingValue | undefined;
}

type A = Config['amazon'];

function field(
  key: string,
  variable: VariableName,
  type: AmazonSettingField['type'],
  fromConfig: (a: A) => SettingValue | undefined,
  secret = false,
): AmazonSettingField {
  return Object.freeze({ key, variable, type, secret, fromConfig });
}

/** Every Amazon setting that can be stored through `PUT /api/v1/amazon/config`. */
export const AMAZON_SETTING_FIELDS: readonly AmazonSettingField[] = Object.freeze([
  field('enabled', 'AMAZON_PAAPI_ENABLED', 'boolean', (a) => a.enabled),
  field('provider', 'AMAZON_PROVIDER', 'string', (a) => a.provider),
  field('marketplace', 'AMAZON_MARKETPLACE', 'string', (a) => a.marketplace),
  field('associate_tag', 'AMAZON_ASSOCIATE_TAG', 'string', (a) => a.associateTag),
  field(
    'creators_credential_id',
    'AMAZON_CREATORS_CREDENTIAL_ID',
    'string',
    (a) => a.creators.credentialId,
  ),
  field(
    'creators_credential_secret',
    'AMAZON_CREATORS_CREDENTIAL_SECRET',
    'string',
    (a) => a.creators.credentialSecret,
    true,
  ),
  field(
    'creators_credential_version',
    'AMAZON_CREATORS_CREDENTIAL_VERSION',
    'string',
    (a) => a.creators.credentialVersion,
  ),
  field('creators_api_url', 'AMAZON_CREATORS_API_URL', 'string', (a) => a.creators.apiUrl),
  field('creators_token_url', 'AMAZON_CREATORS_TOKEN_URL', 'string', (a) => a.creators.tokenUrl),
  field('paapi_access_key', 'AMAZON_PAAPI_ACCESS_KEY', 'string', (a) => a.paapi.accessKey),
  field('paapi_secret_key', 'AMAZON_PAAPI_SECRET_KEY', 'string', (a) => a.paapi.secretKey, true),
  field('paapi_host', 'AMAZON_PAAPI_HOST', 'string', (a) => a.paapi.host),
  field('paapi_region', 'AMAZON_PAAPI_REGION', 'string', (a) => a.paapi.region),
  field('paapi_endpoint', 'AMAZON_PAAPI_ENDPOINT', 'string', (a) => a.paapi.endpoint),
  field('spapi_client_id', 'AMAZON_SPAPI_CLIENT_ID', 'string', (a) => a.spapi.clientId),
  field(
    'spapi_client_secret',
    'AMAZON_SPAPI_CLIENT_SECRET',
    'string',
    (a) => a.spapi.clientSecret,
    true,
  ),
  field(
    'spapi_refresh_token',
    'AMAZON_SPAPI_REFRESH_TOKEN',
    'string',
    (a) => a.spapi.refreshToken,
    true,
  ),
  field('spapi_endpoint', 'AMAZON_SPAPI_ENDPOINT', 'string', (a) => a.spapi.endpoint),
  field('spapi_token_url', 'AMAZON_SPAPI_TOKEN_URL', 'string', (a) => a.spapi.tokenUrl),
  field('keepa_key', 'AMAZON_KEEPA_KEY', 'string', (a) => a.keepa.key, true),
  field('keepa_api_url', 'AMAZON_KEEPA_API_URL', 'string', (a) => a.keepa.apiUrl),
  field('tps', 'AMAZON_TPS', 'number', (a) => a.tps),
  field('burst', 'AMAZON_BURST', 'integer', (a) => a.burst),
  field('tpd', 'AMAZON_TPD', 'integer', (a) => a.tpd),
  field('timeout_ms', 'AMAZON_TIMEOUT_MS', 'integer', (a) => a.timeoutMs),
]);

const BY_KEY = new Map(AMAZON_SETTING_FIELDS.map((f) => [f.key, f]));

/** The field of an API key, or undefined. */
export function settingField(key: string): AmazonSettingField | undefined {
  return BY_KEY.get(key);
}

/**
 * Parses one value with the same rules as its environment variable (so a stored value is valid
 * exactly when the variable would be). Returns the typed value, or the problem in words.
 */
export function parseSettingValue(
  f: AmazonSettingField,
  value: SettingValue,
): { ok: true; value: SettingValue | undefined } | { ok: false; problem: string } {
  if (f.type === 'string' && typeof value !== 'string')
    return { ok: false, problem: 'must be a string' };
  if (f.type === 'boolean' && typeof value !== 'boolean' && typeof value !== 'string') {
    return { ok: false, problem: 'must be true or false' };
  }
  const result = VARIABLES[f.variable].schema.safeParse(String(value));
  if (!result.success) {
    const problem = result.error.issues.map((i) => i.message).join('; ');
    return { ok: false, problem: `${problem}; expected ${VARIABLES[f.variable].expected}` };
  }
  const parsed = result.data as SettingValue | undefined;
  if (f.key === 'marketplace' && typeof parsed === 'string' && !findMarketplace(parsed)) {
    const known = MARKETPLACES.map((m) => m.domain).join(', ');
    return { ok: false, problem: `unknown marketplace; expected one of ${known}` };
  }
  return { ok: true, value: parsed };
}

/** A validated partial update: a value to store, or null to remove the stored value. */
export type SettingsUpdate = Map<string, string | null>;

/**
 * Validates a partial update (`{key: value | null}`). Throws one SettingsError naming every bad
 * key and its problem; secrets are never echoed.
 */
export function validateSettingsUpdate(input: Record<string, unknown>): SettingsUpdate {
  const problems: { field: string; problem: string }[] = [];
  const update: SettingsUpdate = new Map();
  for (const [key, raw] of Object.entries(input)) {
    const f = settingField(key);
    if (!f) {
      problems.push({ field: key, problem: 'is not an Amazon setting' });
      continue;
    }
    if (raw === null) {
      update.set(key, null);
      continue;
    }
    if (!['string', 'number', 'boolean'].includes(typeof raw)) {
      problems.push({ field: key, problem: `must be a ${f.type} or null` });
      continue;
    }
    const parsed = parseSettingValue(f, raw as SettingValue);
    if (!parsed.ok) problems.push({ field: key, problem: parsed.problem });
    else update.set(key, parsed.value === undefined ? null : String(parsed.value));
  }
  if (problems.length > 0) {
    const text = problems.map((p) => `${p.field} ${p.problem}`).join('; ');
    throw new SettingsError('invalid_settings', `Invalid Amazon settings: ${text}.`, { problems });
  }
  return update;
}

/** The default of a field when neither the environment nor the store gives a value. */
export function defaultSettingValue(f: AmazonSettingField): SettingValue | undefined {
  const raw = DEFAULTS[f.variable];
  if (raw === undefined) return undefined;
  const parsed = parseSettingValue(f, raw);
  return parsed.ok ? parsed.value : undefined;
}

/** Builds the settings the Amazon client takes from one value per field. */
export function toAmazonSettings(
  values: ReadonlyMap<string, SettingValue | undefined>,
): AmazonSettings {
  const s = (k: string) => values.get(k) as string | undefined;
  const n = (k: string) => values.get(k) as number;
  return {
    enabled: values.get('enabled') !== false,
    provider: providerOf(s('provider')),
    marketplace: s('marketplace') ?? 'www.amazon.fr',
    associateTag: s('associate_tag'),
    creators: {
      credentialId: s('creators_credential_id'),
      credentialSecret: s('creators_credential_secret'),
      credentialVersion: (s('creators_credential_version') ??
        '3.2') as AmazonSettings['creators']['credentialVersion'],
      apiUrl: s('creators_api_url') ?? 'https://creatorsapi.amazon',
      tokenUrl: s('creators_token_url'),
    },
    paapi: {
      accessKey: s('paapi_access_key'),
      secretKey: s('paapi_secret_key'),
      host: s('paapi_host'),
      region: s('paapi_region'),
      endpoint: s('paapi_endpoint'),
    },
    spapi: {
      clientId: s('spapi_client_id'),
      clientSecret: s('spapi_client_secret'),
      refreshToken: s('spapi_refresh_token'),
      endpoint: s('spapi_endpoint'),
      tokenUrl: s('spapi_token_url'),
    },
    keepa: {
      key: s('keepa_key'),
      apiUrl: s('keepa_api_url') ?? 'https://api.keepa.com',
    },
    tps: n('tps'),
    burst: n('burst'),
    tpd: n('tpd'),
    timeoutMs: n('timeout_ms'),
  };
}

/** A stored or environment provider name (validated when it was set); the default otherwise. */
function providerOf(value: string | undefined): ProviderName {
  return isProviderName(value) ? value : (DEFAULTS.AMAZON_PROVIDER as ProviderName);
}
