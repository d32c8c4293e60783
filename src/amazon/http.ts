import { AmazonError, networkError } from './errors.js';
import type { ProviderName } from './provider.js';
import { errorFromResponse, requestIdOf } from './response-errors.js';

export type FetchFn = typeof fetch;

/** One POST of a JSON body to a provider. */
export interface PostRequest {
  provider: ProviderName;
  url: string;
  headers: Record<string, string>;
  /** Exact bytes to send (PA-API signs them). */
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch: FetchFn;
  /** Values that must never appear in error messages. */
  secrets: readonly (string | undefined)[];
  /** Human name of the call for error messages, e.g. "Creators API searchItems". */
  what: string;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  requestId: string | null;
}

/** One HTTP exchange with a provider (`postJson`, `spapiGet`, `keepaGet` send through it). */
export interface Exchange {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch: FetchFn;
  /** Human name of the call for error messages, e.g. "Creators API searchItems". */
  what: string;
  /**
   * How a failed exchange is told (default: the `network` error as is). Keepa's drops the cause,
   * whose URL carries the key.
   */
  networkError?: (error: AmazonError) => AmazonError;
}

/** An answer of any status, its body parsed (undefined when empty or not JSON). */
export interface RawAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * Sends one request and reads the whole answer, whatever its status. The caller's abort is
 * rethrown as is; a failure or timeout of the exchange itself is a `network` AmazonError.
 */
export async function exchange(req: Exchange): Promise<RawAnswer> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let res: Response;
  let raw: string;
  try {
    res = await req.fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
    });
    raw = await res.text();
  } catch (e) {
    if (req.signal?.aborted) throw req.signal.reason;
    const error = networkError(e, req.what, req.timeoutMs);
    throw req.networkError ? req.networkError(error) : error;
  }
  return { status: res.status, headers: res.headers, body: parseJson(raw) };
}

/**
 * POSTs and parses the JSON answer. Resolves on 2xx; throws an AmazonError otherwise (typed from
 * the status and error body), or a `network` one when the exchange itself failed or timed out.
 * The caller's abort is rethrown as is.
 */
export async function postJson(req: PostRequest): Promise<JsonResponse> {
  const res = await exchange({ ...req, method: 'POST' });
  const requestId = requestIdOf(res.headers);
  const { body } = res;
  if (res.status >= 200 && res.status < 300) {
    if (body === undefined) {
      throw new AmazonError(
        'invalid_data',
        `${req.what} answered ${res.status} with a body that is not JSON; report it with the request id.`,
        {
          status: res.status,
          requestId,
          provider: req.provider,
          retryable: true,
        },
      );
    }
    return { status: res.status, body, requestId };
  }
  throw errorFromResponse({
    provider: req.provider,
    status: res.status,
    body: body ?? null,
    headers: res.headers,
    requestId,
    secrets: req.secrets,
  });
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
