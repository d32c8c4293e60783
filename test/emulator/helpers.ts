import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  EmulatorOptions,
  PaapiCredential,
  RunningEmulator,
} from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';

/** Starts an emulator on a random port with a generous quota unless the test sets one. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, tps: 1000, burst: 1000, ...options });
}

/** A JSON response: status, headers and parsed body. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function json(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

/** POSTs a form to a token endpoint. */
export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return json(res);
}

/** POSTs JSON. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return json(res);
}

/** Gets a token for the i-th Creators credential through the endpoint of its version. */
export async function creatorsToken(emu: RunningEmulator, i = 0): Promise<string> {
  const env = emu.env('creators', i);
  const v3 = env.AMAZON_CREATORS_CREDENTIAL_VERSION?.startsWith('3.');
  const fields = {
    grant_type: 'client_credentials',
    client_id: env.AMAZON_CREATORS_CREDENTIAL_ID ?? '',
    client_secret: env.AMAZON_CREATORS_CREDENTIAL_SECRET ?? '',
    scope: v3 ? 'creatorsapi::default' : 'creatorsapi/default',
  };
  const url = env.AMAZON_CREATORS_TOKEN_URL ?? '';
  const res = v3 ? await postJson(url, fields) : await postForm(url, fields);
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/** Calls a Creators operation with the right Authorization for the i-th credential. */
export async function creatorsCall(
  emu: RunningEmulator,
  op: string,
  body: Record<string, unknown>,
  opts: { token?: string; credential?: number; marketplace?: string | null; auth?: string } = {},
): Promise<JsonResponse> {
  const i = opts.credential ?? 0;
  const env = emu.env('creators', i);
  const token = opts.token ?? (await creatorsToken(emu, i));
  const version = env.AMAZON_CREATORS_CREDENTIAL_VERSION ?? '';
  const auth =
    opts.auth ??
    (version.startsWith('2.') ? `Bearer ${token}, Version ${version}` : `Bearer ${token}`);
  const headers: Record<string, string> = { authorization: auth };
  const market = opts.marketplace === undefined ? env.AMAZON_MARKETPLACE : opts.marketplace;
  if (market !== null && market !== undefined) headers['x-marketplace'] = market;
  return postJson(
    `${emu.url}/catalog/v1/${op}`,
    { partnerTag: env.AMAZON_ASSOCIATE_TAG, ...body },
    headers,
  );
}

/** Signs and sends a PA-API call with @smithy/signature-v4 (an independent signer). */
export async function paapiCall(
  emu: RunningEmulator,
  op: string,
  body: Record<string, unknown>,
  opts: {
    credential?: PaapiCredential;
    secretKey?: string;
    region?: string;
    target?: string;
    omit?: string[];
  } = {},
): Promise<JsonResponse> {
  const cred =
    opts.credential ?? (emu.credentials.find((c) => c.kind === 'paapi') as PaapiCredential);
  const url = new URL(`${emu.url}/paapi5/${op.toLowerCase()}`);
  const payload = JSON.stringify({
    PartnerTag: cred.partnerTag,
    PartnerType: 'Associates',
    ...body,
  });
  const headers: Record<string, string> = {
    host: url.host,
    'content-encoding': 'amz-1.0',
    'content-type': 'application/json; charset=utf-8',
    'x-amz-target': opts.target ?? `com.amazon.paapi5.v1.ProductAdvertisingAPIv1.${op}`,
  };
  for (const h of opts.omit ?? []) delete headers[h];
  const signer = new SignatureV4({
    service: 'ProductAdvertisingAPI',
    region: opts.region ?? cred.region,
    credentials: { accessKeyId: cred.accessKey, secretAccessKey: opts.secretKey ?? cred.secretKey },
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers,
    body: payload,
  });
  const sendHeaders = { ...signed.headers } as Record<string, string>;
  delete sendHeaders.host;
  const res = await fetch(url, { method: 'POST', headers: sendHeaders, body: payload });
  return json(res);
}
