import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** SigV4 service name PA-API 5.0 requests are signed for (reference §2.3). */
export const PAAPI_SERVICE = 'ProductAdvertisingAPI';

export interface SignInput {
  method: string;
  /** `https://webservices.amazon.fr` or an override such as `http://127.0.0.1:8787`. */
  url: string;
  headers: Record<string, string>;
  body: string;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  /** Fixed time for test vectors; now by default. */
  date?: Date;
}

/**
 * Signs a request with AWS Signature Version 4 (@smithy/signature-v4). The `host` header is
 * taken from the URL (with a non-default port, as fetch will send it). Returns every header to
 * send, `authorization` and `x-amz-date` included.
 */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const url = new URL(input.url);
  const signer = new SignatureV4({
    service: input.service,
    region: input.region,
    credentials: { accessKeyId: input.accessKey, secretAccessKey: input.secretKey },
    sha256: Sha256,
    // PA-API signs exactly content-encoding, content-type, host, x-amz-date, x-amz-target:
    // no x-amz-content-sha256 header.
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...input.headers, host: url.host },
      body: input.body,
    },
    { signingDate: input.date ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}
