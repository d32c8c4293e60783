import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  checkOutboundUrl,
  systemResolver,
  type CheckedTarget,
  type OutboundPolicy,
  type Resolver,
} from './outbound-guard.js';
import { OutboundError } from './outbound-error.js';

/** Opens the connection of a checked target (tests route it to a loopback listener). */
export type Connector = (target: CheckedTarget) => Socket;

/** One request through the guard. */
export interface OutboundRequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange (every hop, the body included) ends by then. */
  timeoutMs: number;
  /** Largest body read; a larger one is refused. */
  maxBytes: number;
  /** False: only the status and headers matter; the body is dropped unread (default true). */
  readBody?: boolean;
  /** Redirects followed, each hop checked like the first (default 0: none followed). */
  maxRedirects?: number;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

/** Requests to URLs the service did not configure itself; every one goes through the guard. */
export interface OutboundClient {
  check(url: string, policy: OutboundPolicy): Promise<CheckedTarget>;
  request(
    url: string,
    policy: OutboundPolicy,
    options: OutboundRequestOptions,
  ): Promise<OutboundResponse>;
}

/**
 * Connects to the checked address itself, never to the name: no second lookup can move the
 * connection elsewhere. TLS still names the URL's host (SNI) and verifies the certificate against
 * it, with the system's certificate authorities or `tls.ca` (tests: a self-signed certificate).
 */
export function createDirectConnector(tls: { ca?: string | Buffer } = {}): Connector {
  return (target) =>
    target.protocol === 'https:'
      ? tlsConnect({
          host: target.address,
          port: target.port,
          servername: isIP(target.hostname) ? undefined : target.hostname,
          ALPNProtocols: ['http/1.1'],
          ca: tls.ca,
        })
      : netConnect({ host: target.address, port: target.port });
}

export const directConnector: Connector = createDirectConnector();

/** The outbound client of a process; `resolve` and `connect` are injected by tests only. */
export function createOutboundClient(
  deps: { resolve?: Resolver; connect?: Connector } = {},
): OutboundClient {
  const resolve = deps.resolve ?? systemResolver;
  const connect = deps.connect ?? directConnector;
  return {
    check: (url, policy) => checkOutboundUrl(url, policy, resolve),
    async request(url, policy, options) {
      const signal = AbortSignal.timeout(options.timeoutMs);
      let current = url;
      for (let hop = 0; ; hop += 1) {
        const target = await checkOutboundUrl(current, policy, resolve);
        const res = await send(target, options, connect, signal);
        const location = res.headers.location;
        if (res.status < 300 || res.status >= 400 || !location) return res;
        if (hop >= (options.maxRedirects ?? 0)) {
          throw new OutboundError(
            'redirect_not_followed',
            `The ${policy.purpose} ${target.url.origin} answered ${res.status} (a redirect); redirects are not followed, give the final URL.`,
            target.url.origin,
          );
        }
        current = new URL(location, target.url).href;
      }
    },
  };
}

function send(
  target: CheckedTarget,
  options: OutboundRequestOptions,
  connect: Connector,
  signal: AbortSignal,
): Promise<OutboundResponse> {
  const origin = target.url.origin;
  return new Promise<Omit<OutboundResponse, 'url'>>((resolvePromise, reject) => {
    const fail = (error: unknown) => reject(describeFailure(error, origin, signal, options));
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      {
        method: options.method ?? 'GET',
        hostname: target.hostname,
        port: target.port,
        path: `${target.url.pathname}${target.url.search}`,
        headers: options.headers,
        // No agent: the connection is opened here, to the checked address.
        createConnection: () => connect(target),
        signal,
      },
      (res) => {
        if (options.readBody === false) {
          res.destroy();
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.alloc(0),
          });
        } else readBody(res, options.maxBytes, origin).then(resolvePromise, fail);
      },
    );
    request.on('error', fail);
    request.end(options.body);
  }).then((r) => ({ ...r, url: target.url.href }));
}

async function readBody(
  res: IncomingMessage,
  maxBytes: number,
  origin: string,
): Promise<Omit<OutboundResponse, 'url'>> {
  const tooLarge = () =>
    new OutboundError(
      'response_too_large',
      `The answer of ${origin} is over the ${maxBytes}-byte limit; it was not kept.`,
      origin,
    );
  if (Number(res.headers['content-length'] ?? 0) > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

function describeFailure(
  error: unknown,
  origin: string,
  signal: AbortSignal,
  options: OutboundRequestOptions,
): OutboundError {
  if (error instanceof OutboundError) return error;
  if (signal.aborted) {
    return new OutboundError(
      'timeout',
      `${origin} did not answer within ${options.timeoutMs} ms.`,
      origin,
      { cause: error },
    );
  }
  const code = (error as { code?: string } | null)?.code ?? 'error';
  return new OutboundError(
    'connection_failed',
    `${origin} could not be reached (${code}).`,
    origin,
    {
      cause: error,
    },
  );
}
