import { findMarketplace, isVersionValidFor } from './marketplaces.js';
import type { AmazonSettings, ProviderName } from './provider.js';

/** What the Amazon settings point at: Amazon itself or the local emulator. */
export type AmazonSource = 'amazon' | 'emulator';

/** One setting that keeps the provider from being used, named for both ways to set it. */
export interface MissingSetting {
  /** The environment variable. */
  variable: string;
  /** The key of `PUT /api/v1/amazon/config`. */
  field: string;
  /** What it is, or what is wrong with it. */
  problem: string;
}

/** Whether lookups can be sent, decided from the settings alone (no request). */
export interface AmazonReadiness {
  provider: ProviderName;
  source: AmazonSource;
  marketplace: string;
  ready: boolean;
  missing: MissingSetting[];
}

const TAG: MissingSetting = {
  variable: 'AMAZON_ASSOCIATE_TAG',
  field: 'associate_tag',
  problem: 'your Associates tracking id, e.g. mystore-21',
};

/** The SP-API settings that are missing (the three values of a self-authorised app). */
function spapiMissing(s: AmazonSettings): MissingSetting[] {
  const wanted: [string, string, string | undefined, string][] = [
    [
      'AMAZON_SPAPI_CLIENT_ID',
      'spapi_client_id',
      s.spapi.clientId,
      'the LWA client id of your SP-API app',
    ],
    [
      'AMAZON_SPAPI_CLIENT_SECRET',
      'spapi_client_secret',
      s.spapi.clientSecret,
      'the LWA client secret of your SP-API app',
    ],
    [
      'AMAZON_SPAPI_REFRESH_TOKEN',
      'spapi_refresh_token',
      s.spapi.refreshToken,
      'the refresh token of your self-authorisation (Seller Central → Develop apps → Authorize)',
    ],
  ];
  return wanted
    .filter(([, , value]) => !value?.trim())
    .map(([variable, field, , problem]) => ({ variable, field, problem }));
}

/** Providers whose requests carry the Associates tag (the others need none). */
const SENDS_ASSOCIATE_TAG: ReadonlySet<ProviderName> = new Set(['creators', 'paapi']);

function providerMissing(s: AmazonSettings): MissingSetting[] {
  const missing: MissingSetting[] = [];
  if (s.provider === 'spapi') return spapiMissing(s);
  if (s.provider === 'keepa') {
    if (!s.keepa.key)
      missing.push({
        variable: 'AMAZON_KEEPA_KEY',
        field: 'keepa_key',
        problem: 'the Keepa API access key (keepa.com → API; a paid plan)',
      });
    return missing;
  }
  if (s.provider === 'paapi') {
    if (!s.paapi.accessKey)
      missing.push({
        variable: 'AMAZON_PAAPI_ACCESS_KEY',
        field: 'paapi_access_key',
        problem: 'the PA-API access key',
      });
    if (!s.paapi.secretKey)
      missing.push({
        variable: 'AMAZON_PAAPI_SECRET_KEY',
        field: 'paapi_secret_key',
        problem: 'the PA-API secret key',
      });
    return missing;
  }
  if (!s.creators.credentialId)
    missing.push({
      variable: 'AMAZON_CREATORS_CREDENTIAL_ID',
      field: 'creators_credential_id',
      problem: 'the Creators API Credential ID (Associates Central → Tools → Creators API)',
    });
  if (!s.creators.credentialSecret)
    missing.push({
      variable: 'AMAZON_CREATORS_CREDENTIAL_SECRET',
      field: 'creators_credential_secret',
      problem: 'the Creators API Credential Secret',
    });
  const m = findMarketplace(s.marketplace);
  if (m && !isVersionValidFor(m, s.creators.credentialVersion))
    missing.push({
      variable: 'AMAZON_CREATORS_CREDENTIAL_VERSION',
      field: 'creators_credential_version',
      problem: `version ${s.creators.credentialVersion} cannot call ${m.domain} (needs ${m.credentialVersions.join(' or ')})`,
    });
  return missing;
}

/** Every setting missing (or unusable) for the configured provider, in the order to set them. */
export function amazonReadiness(settings: AmazonSettings, source: AmazonSource): AmazonReadiness {
  const missing: MissingSetting[] = [];
  if (settings.enabled === false)
    missing.push({
      variable: 'AMAZON_PAAPI_ENABLED',
      field: 'enabled',
      problem: 'Amazon API access is off; set it to true',
    });
  if (SENDS_ASSOCIATE_TAG.has(settings.provider) && !settings.associateTag?.trim())
    missing.push(TAG);
  missing.push(...providerMissing(settings));
  return {
    provider: settings.provider,
    source,
    marketplace: settings.marketplace,
    ready: missing.length === 0,
    missing,
  };
}

/** `creators`, or `creators (emulator)`: how jobs, result files and the start-up name it. */
export function providerLabel(p: { provider: string; source: AmazonSource }): string {
  return p.source === 'emulator' ? `${p.provider} (emulator)` : p.provider;
}

/**
 * One sentence naming every missing setting with both ways to set it. Written before any
 * request: it never says Amazon refused anything.
 */
export function describeMissingSettings(missing: readonly MissingSetting[]): string {
  const vars = missing.map((m) => m.variable).join(', ');
  const body = Object.fromEntries(missing.map((m) => [m.field, '…']));
  return `Waiting for Amazon settings (no request sent): ${vars} not set. Set them in the environment and restart, or with PUT /api/v1/amazon/config ${JSON.stringify(body)}; the job starts by itself once they are set. To try everything without Amazon: npx code2asin demo.`;
}

/** Thrown by a lookup before any request when the settings are incomplete. */
export class AmazonNotReadyError extends Error {
  readonly code = 'amazon_not_ready' as const;
  constructor(readonly missing: MissingSetting[]) {
    super(describeMissingSettings(missing));
    this.name = 'AmazonNotReadyError';
  }
}
