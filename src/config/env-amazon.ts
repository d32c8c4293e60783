import { z } from 'zod';
import {
  bool,
  httpUrl,
  optionalText,
  positiveNumber,
  type ParsedOf,
  type VariableSpec,
} from './env-schemas.js';
import {
  isProviderName,
  PROVIDER_NAMES,
  PROVIDER_RATE_DEFAULTS,
  type ProviderName,
} from './provider-names.js';

export const CREDENTIAL_VERSIONS = ['2.1', '2.2', '2.3', '3.1', '3.2', '3.3'] as const;
export type CredentialVersion = (typeof CREDENTIAL_VERSIONS)[number];

/** `creators=1/1,keepa=5/5` → each provider's pace in a chain (AMAZON_TPS paces the configured one). */
const chainRates = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const rates: Partial<Record<ProviderName, { tps: number; burst: number }>> = {};
    for (const part of (v ?? '').split(',').filter((x) => x.trim() !== '')) {
      const m = /^\s*([a-z]+)\s*=\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(part);
      const name = m?.[1];
      if (!m || !name || !isProviderName(name) || Number(m[2]) <= 0 || Number(m[3]) < 1) {
        ctx.addIssue({ code: 'custom', message: `not provider=tps/burst (at "${part.trim()}")` });
        return z.NEVER;
      }
      rates[name] = { tps: Number(m[2]), burst: Number(m[3]) };
    }
    return rates;
  });

/** The Amazon providers: which one, their credentials and addresses, their pace. */
export const AMAZON_VARIABLES = {
  AMAZON_PAAPI_ENABLED: { schema: bool, expected: 'true or false' },
  AMAZON_PROVIDER: {
    schema: z.enum(PROVIDER_NAMES),
    expected: PROVIDER_NAMES.map((n) => `\`${n}\``).join(' or '),
  },
  CODE2ASIN_AMAZON_SOURCE: {
    schema: z.enum(['amazon', 'emulator']),
    expected:
      '`amazon` or `emulator` (what the Amazon settings point at; `demo` and the emulator set it)',
  },
  AMAZON_MARKETPLACE: {
    schema: z
      .string()
      .trim()
      .regex(/^www\.amazon\.[a-z.]+$/, 'not a marketplace domain'),
    expected: 'a marketplace domain such as `www.amazon.fr`',
  },
  AMAZON_ASSOCIATE_TAG: {
    schema: optionalText,
    expected: 'your Associates tracking id, e.g. `mystore-21`',
  },
  AMAZON_CREATORS_CREDENTIAL_ID: {
    schema: optionalText,
    expected: 'the Credential ID from Associates Central',
    secret: false,
  },
  AMAZON_CREATORS_CREDENTIAL_SECRET: {
    schema: optionalText,
    expected: 'the Credential Secret',
    secret: true,
  },
  AMAZON_CREATORS_CREDENTIAL_VERSION: {
    schema: z.enum(CREDENTIAL_VERSIONS),
    expected: `one of ${CREDENTIAL_VERSIONS.join(', ')}`,
  },
  AMAZON_CREATORS_API_URL: {
    schema: httpUrl,
    expected: 'an http(s) URL, e.g. `http://127.0.0.1:8787`',
  },
  AMAZON_CREATORS_TOKEN_URL: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL of the OAuth2 token endpoint',
  },
  AMAZON_PAAPI_ACCESS_KEY: { schema: optionalText, expected: 'the PA-API access key' },
  AMAZON_PAAPI_SECRET_KEY: {
    schema: optionalText,
    expected: 'the PA-API secret key',
    secret: true,
  },
  AMAZON_PAAPI_HOST: { schema: optionalText, expected: 'a host such as `webservices.amazon.fr`' },
  AMAZON_PAAPI_REGION: { schema: optionalText, expected: 'an AWS region such as `eu-west-1`' },
  AMAZON_PAAPI_ENDPOINT: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL, e.g. `http://127.0.0.1:8787`',
  },
  AMAZON_SPAPI_CLIENT_ID: {
    schema: optionalText,
    expected: 'the LWA client id of your SP-API app (amzn1.application-oa2-client.…)',
  },
  AMAZON_SPAPI_CLIENT_SECRET: {
    schema: optionalText,
    expected: 'the LWA client secret of your SP-API app',
    secret: true,
  },
  AMAZON_SPAPI_REFRESH_TOKEN: {
    schema: optionalText,
    expected: 'the refresh token of your self-authorisation (Atzr|…)',
    secret: true,
  },
  AMAZON_SPAPI_ENDPOINT: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL replacing the regional SP-API host, e.g. `http://127.0.0.1:8787`',
  },
  AMAZON_SPAPI_TOKEN_URL: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL of the Login with Amazon token endpoint',
  },
  AMAZON_KEEPA_KEY: {
    schema: optionalText,
    expected: 'the Keepa API access key (keepa.com → API)',
    secret: true,
  },
  AMAZON_KEEPA_API_URL: {
    schema: httpUrl,
    expected: 'an http(s) URL, e.g. `http://127.0.0.1:8787/keepa`',
  },
  AMAZON_CHAIN_RATES: {
    schema: optionalText.pipe(chainRates),
    expected:
      'the pace of the other providers of a job chain, `provider=tps/burst` separated by commas, e.g. `creators=1/1,keepa=5/5`',
  },
  AMAZON_TPS: { schema: positiveNumber, expected: 'requests per second, a positive number' },
  AMAZON_BURST: { schema: z.coerce.number().int().min(1), expected: 'a whole number ≥ 1' },
  AMAZON_TPD: {
    schema: z.coerce.number().int().min(1),
    expected: 'requests per day, a whole number ≥ 1',
  },
  AMAZON_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), expected: 'milliseconds, ≥ 100' },
} satisfies Record<string, VariableSpec>;

export const AMAZON_DEFAULTS: Partial<Record<keyof typeof AMAZON_VARIABLES, string>> = {
  AMAZON_PAAPI_ENABLED: 'true',
  AMAZON_PROVIDER: 'creators',
  CODE2ASIN_AMAZON_SOURCE: 'amazon',
  AMAZON_MARKETPLACE: 'www.amazon.fr',
  AMAZON_CREATORS_CREDENTIAL_VERSION: '3.2',
  AMAZON_CREATORS_API_URL: 'https://creatorsapi.amazon',
  AMAZON_KEEPA_API_URL: 'https://api.keepa.com',
  AMAZON_TPS: '1',
  AMAZON_BURST: '1',
  AMAZON_TPD: '8640',
  AMAZON_TIMEOUT_MS: '10000',
};

type AmazonParsed = ParsedOf<typeof AMAZON_VARIABLES>;

export interface AmazonConfig {
  readonly enabled: boolean;
  readonly provider: ProviderName;
  readonly marketplace: string;
  readonly associateTag: string | undefined;
  readonly creators: {
    readonly credentialId: string | undefined;
    readonly credentialSecret: string | undefined;
    readonly credentialVersion: CredentialVersion;
    readonly apiUrl: string;
    readonly tokenUrl: string | undefined;
  };
  readonly paapi: {
    readonly accessKey: string | undefined;
    readonly secretKey: string | undefined;
    readonly host: string | undefined;
    readonly region: string | undefined;
    readonly endpoint: string | undefined;
  };
  readonly spapi: {
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly refreshToken: string | undefined;
    readonly endpoint: string | undefined;
    readonly tokenUrl: string | undefined;
  };
  /** Keepa (a paid third-party service, no Associates tag): the key and the API's address. */
  readonly keepa: {
    readonly key: string | undefined;
    readonly apiUrl: string;
  };
  readonly tps: number;
  readonly burst: number;
  readonly tpd: number;
  readonly timeoutMs: number;
  /** AMAZON_CHAIN_RATES: the pace of providers a job chain asks besides the configured one. */
  readonly chainRates?: Readonly<Partial<Record<ProviderName, { tps: number; burst: number }>>>;
}

/** `Config['amazon']` from the parsed variables (`fromEnvironment`: the ones set, not defaulted). */
export function amazonConfig(v: AmazonParsed, fromEnvironment: readonly string[]): AmazonConfig {
  return {
    enabled: v.AMAZON_PAAPI_ENABLED,
    provider: v.AMAZON_PROVIDER,
    marketplace: v.AMAZON_MARKETPLACE,
    associateTag: v.AMAZON_ASSOCIATE_TAG,
    creators: {
      credentialId: v.AMAZON_CREATORS_CREDENTIAL_ID,
      credentialSecret: v.AMAZON_CREATORS_CREDENTIAL_SECRET,
      credentialVersion: v.AMAZON_CREATORS_CREDENTIAL_VERSION,
      apiUrl: v.AMAZON_CREATORS_API_URL,
      tokenUrl: v.AMAZON_CREATORS_TOKEN_URL,
    },
    paapi: {
      accessKey: v.AMAZON_PAAPI_ACCESS_KEY,
      secretKey: v.AMAZON_PAAPI_SECRET_KEY,
      host: v.AMAZON_PAAPI_HOST,
      region: v.AMAZON_PAAPI_REGION,
      endpoint: v.AMAZON_PAAPI_ENDPOINT,
    },
    spapi: {
      clientId: v.AMAZON_SPAPI_CLIENT_ID,
      clientSecret: v.AMAZON_SPAPI_CLIENT_SECRET,
      refreshToken: v.AMAZON_SPAPI_REFRESH_TOKEN,
      endpoint: v.AMAZON_SPAPI_ENDPOINT,
      tokenUrl: v.AMAZON_SPAPI_TOKEN_URL,
    },
    keepa: { key: v.AMAZON_KEEPA_KEY, apiUrl: v.AMAZON_KEEPA_API_URL },
    ...rateOf(v, fromEnvironment),
    chainRates: v.AMAZON_CHAIN_RATES,
    tpd: v.AMAZON_TPD,
    timeoutMs: v.AMAZON_TIMEOUT_MS,
  };
}

/**
 * AMAZON_TPS / AMAZON_BURST, or the provider's published quota when they are not set (SP-API
 * Catalog Items: 2 requests/s, burst 2; the others 1/1).
 */
function rateOf(
  v: AmazonParsed,
  fromEnvironment: readonly string[],
): { tps: number; burst: number } {
  const own = PROVIDER_RATE_DEFAULTS[v.AMAZON_PROVIDER];
  return {
    tps: fromEnvironment.includes('AMAZON_TPS') ? v.AMAZON_TPS : (own?.tps ?? v.AMAZON_TPS),
    burst: fromEnvironment.includes('AMAZON_BURST')
      ? v.AMAZON_BURST
      : (own?.burst ?? v.AMAZON_BURST),
  };
}
