import { ApiError } from './api-error.js';
import type { EmulatorCredential, PaapiCredential } from './catalog.js';
import type { MarketplaceInfo } from './marketplaces.js';
import type { SignableRequest } from './sigv4-verify.js';
import {
  computeSignature,
  parseAmzDate,
  parseAuthorization,
  signaturesMatch,
} from './sigv4-verify.js';

/** Headers PA-API requires in `SignedHeaders`. */
export const REQUIRED_SIGNED_HEADERS = ['content-encoding', 'host', 'x-amz-date', 'x-amz-target'];
/** SigV4 service name of PA-API 5.0. */
export const PAAPI_SERVICE = 'ProductAdvertisingAPI';
const MAX_SKEW_MS = 5 * 60 * 1000;

function err(status: number, code: string, message: string): ApiError {
  return new ApiError({ status, type: `${code}Exception`, code, message });
}

const BAD_SIGNATURE =
  'The request has not been correctly signed. Please verify that your access key, secret key and request are correct.';

/** What the verifier needs besides the request. */
export interface PaapiAuthInput {
  request: SignableRequest;
  header: (name: string) => string | undefined;
  credentials: EmulatorCredential[];
  /** The store the request is for: its signing region is the only one accepted. */
  marketplace: MarketplaceInfo;
  now: number;
}

/** Returns the credential's access key from the Authorization header, if any (for stats). */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return parseAuthorization(authorization)?.accessKey;
}

/**
 * Full SigV4 verification as PA-API does it: header shape, required signed headers, known access
 * key, date within ±5 minutes, scope (date, region of the store, service), then the signature.
 */
export function verifyPaapiSignature(input: PaapiAuthInput): PaapiCredential {
  const auth = parseAuthorization(input.header('authorization'));
  if (!auth)
    throw err(
      400,
      'IncompleteSignature',
      'Authorization header requires Credential, SignedHeaders and Signature parameters (AWS4-HMAC-SHA256).',
    );
  const missing = REQUIRED_SIGNED_HEADERS.filter(
    (h) => !auth.signedHeaders.includes(h) || input.header(h) === undefined,
  );
  if (missing.length > 0)
    throw err(
      400,
      'IncompleteSignature',
      `The request must sign the headers ${REQUIRED_SIGNED_HEADERS.join(', ')}; missing: ${missing.join(', ')}.`,
    );
  const cred = input.credentials.find(
    (c): c is PaapiCredential => c.kind === 'paapi' && c.accessKey === auth.accessKey,
  );
  if (!cred)
    throw err(
      401,
      'UnrecognizedClient',
      'The Access Key ID or security token included in the request is invalid.',
    );
  const amzDate = input.header('x-amz-date') ?? '';
  const at = parseAmzDate(amzDate);
  if (Number.isNaN(at)) throw err(400, 'IncompleteSignature', `Invalid X-Amz-Date ${amzDate}.`);
  if (Math.abs(input.now - at) > MAX_SKEW_MS)
    throw err(
      401,
      'RequestExpired',
      `Signature expired: ${amzDate} is outside the 5 minutes allowed around the server time.`,
    );
  if (auth.date !== amzDate.slice(0, 8))
    throw err(
      401,
      'InvalidSignature',
      `Date in Credential scope does not match YYYYMMDD from X-Amz-Date.`,
    );
  if (auth.service !== PAAPI_SERVICE)
    throw err(
      401,
      'InvalidSignature',
      `Credential should be scoped to correct service: '${PAAPI_SERVICE}'.`,
    );
  if (auth.region !== input.marketplace.paapiRegion)
    throw err(
      401,
      'InvalidSignature',
      `Credential should be scoped to a valid region, not '${auth.region}'.`,
    );
  const expected = computeSignature(input.request, auth, cred.secretKey, amzDate);
  if (!signaturesMatch(expected, auth.signature)) throw err(401, 'InvalidSignature', BAD_SIGNATURE);
  return cred;
}
