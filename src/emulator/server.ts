import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { handleCreators } from './creators-routes.js';
import type { EmulatorState } from './emulator-state.js';
import { drawLatency } from './faults.js';
import { handleKeepa } from './keepa-routes.js';
import { handlePaapi } from './paapi-routes.js';
import type { ApiOutcome, Reply } from './reply.js';
import { jsonReply } from './reply.js';
import type { EmulatorStats } from './stats.js';
import { handleTokenRequest } from './token-endpoint.js';
import { handleSpapi } from './spapi-routes.js';
import { handleSpapiToken, isRefreshGrant } from './spapi-token.js';

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(reply.status, { 'x-amzn-requestid': randomUUID(), ...reply.headers });
  res.end(reply.body);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function sendApi(
  state: EmulatorState,
  res: ServerResponse,
  out: ApiOutcome,
  op: string,
  arrivedAt: number,
  gzip = false,
) {
  const latency = drawLatency(state.faults, state.rng);
  if (latency > 0) await sleep(latency);
  if (out.fault === 'hang') {
    // Never answer: the client must time out. close() destroys the socket.
    state.stats.record(out.credentialKey, out.kind, op, 504, arrivedAt);
    return;
  }
  let reply = out.reply;
  if (out.fault === 'malformed' && reply.status === 200)
    reply = { ...reply, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) };
  // Counted at arrival: "most requests in any 1-second window" is what the limiter saw.
  state.stats.record(out.credentialKey, out.kind, op, reply.status, arrivedAt);
  if (gzip) sendGzip(res, reply);
  else send(res, reply);
}

/** Keepa answers gzip to a client that asks for it (reference §4). */
function sendGzip(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-encoding': 'gzip' });
  res.end(gzipSync(reply.body));
}

/** Stats of every protocol, with the Keepa keys' token figures. */
export function statsOf(state: EmulatorState): EmulatorStats {
  return { ...state.stats.snapshot(), keepa: state.keepaTokens.snapshot() };
}

function handleToken(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) {
  const flavor = req.url?.startsWith('/oauth2/') ? 'cognito' : 'lwa';
  const contentType = req.headers['content-type'] ?? '';
  if (flavor === 'lwa' && isRefreshGrant(contentType, body.toString('utf8'))) {
    // SP-API apps: Login with Amazon's refresh-token grant on the same endpoint.
    const sp = handleSpapiToken(
      contentType,
      body.toString('utf8'),
      state.catalog.credentials,
      state.spapiTokens,
      state.tokenTtlS,
    );
    state.stats.record(sp.credentialKey, 'spapi', 'token', sp.reply.status);
    return send(res, sp.reply);
  }
  const out = handleTokenRequest(
    flavor,
    { contentType: req.headers['content-type'] ?? '', authorization: req.headers.authorization },
    body.toString('utf8'),
    state.catalog.credentials,
    state.tokens,
    state.tokenTtlS,
  );
  state.stats.record(out.credentialKey, 'creators', 'token', out.reply.status);
  send(res, out.reply);
}

async function route(state: EmulatorState, req: IncomingMessage, res: ServerResponse) {
  const arrivedAt = state.now();
  const body = await readBody(req);
  const url = req.url ?? '/';
  const path = url.split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  if (path === '/__emulator/stats' && method === 'GET')
    return send(res, jsonReply(200, statsOf(state)));
  if (path === '/__emulator/health') return send(res, jsonReply(200, { ok: true }));
  if ((path === '/oauth2/token' || path === '/auth/o2/token') && method === 'POST')
    return handleToken(state, req, res, body);
  const creators = /^\/catalog\/v1\/([^/]+)$/.exec(path);
  if (creators?.[1]) {
    state.arrivedAt = arrivedAt;
    const out = handleCreators(state, creators[1], method, req.headers, body.toString('utf8'));
    state.arrivedAt = undefined;
    return sendApi(state, res, out, creators[1], arrivedAt);
  }
  if (path === '/catalog/2022-04-01/items' || path.startsWith('/catalog/2022-04-01/items/')) {
    state.arrivedAt = arrivedAt;
    const out = handleSpapi(state, path, method, url, req.headers);
    state.arrivedAt = undefined;
    return sendApi(state, res, out, out.op, arrivedAt);
  }
  if (path === '/product' || path === '/token') {
    const query = new URL(url, 'http://emulator').searchParams;
    state.arrivedAt = arrivedAt;
    const out = handleKeepa(state, {
      path: path === '/product' ? 'product' : 'token',
      method,
      query,
    });
    state.arrivedAt = undefined;
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    return sendApi(state, res, out, path.slice(1), arrivedAt, gzip);
  }
  const paapi = /^\/paapi5\/([^/]+)$/.exec(path);
  if (paapi?.[1]) {
    const call = {
      opPath: paapi[1],
      method,
      url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
    };
    state.arrivedAt = arrivedAt;
    const out = handlePaapi(state, call);
    state.arrivedAt = undefined;
    return sendApi(state, res, out, OP_NAMES[paapi[1]] ?? paapi[1], arrivedAt);
  }
  send(res, jsonReply(404, { message: `No route ${method} ${path} on the code2asin emulator.` }));
}

/** Stats use the Creators operation names for PA-API too. */
const OP_NAMES: Record<string, string> = {
  getitems: 'getItems',
  searchitems: 'searchItems',
  getvariations: 'getVariations',
  getbrowsenodes: 'getBrowseNodes',
};

/** Creates the HTTP server of the emulator (one port, both protocols). */
export function createEmulatorServer(state: EmulatorState): Server {
  return createServer((req, res) => {
    route(state, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send(res, jsonReply(500, { type: 'InternalServerException', message }));
    });
  });
}
