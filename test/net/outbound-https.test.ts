import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { OutboundError } from '../../src/net/outbound-error.js';
import type { OutboundPolicy, Resolver } from '../../src/net/outbound-guard.js';
import { createDirectConnector, createOutboundClient } from '../../src/net/outbound-request.js';

/**
 * The real dialler over TLS, on loopback only: a self-signed certificate for `hooks.test` (made
 * once with openssl, valid until 2126; a test key, nothing else trusts it), a resolver that maps
 * the name to 127.0.0.1 (`.test` names never resolve on the network), and the guard letting the
 * private address through as the webhook tests do (CODE2ASIN_WEBHOOK_ALLOW_PRIVATE).
 */
const CERT = readFileSync(new URL('./fixtures/hooks-test.cert.pem', import.meta.url));
const KEY = readFileSync(new URL('./fixtures/hooks-test.key.pem', import.meta.url));
const POLICY: OutboundPolicy = { purpose: 'webhook URL', allowPrivate: true };

interface Seen {
  sni: string | false | null;
  host: string | undefined;
  localAddress: string | undefined;
  body: string;
}

function resolverOf(names: Record<string, string>, calls: string[]): Resolver {
  return async (hostname) => {
    calls.push(hostname);
    const address = names[hostname];
    if (!address) throw Object.assign(new Error(`unknown name ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: 4 }];
  };
}

describe('outbound requests over HTTPS (the pinned dialler)', () => {
  let server: Server;
  let port: number;
  const seen: Seen[] = [];

  before(async () => {
    server = createServer({ key: KEY, cert: CERT }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        seen.push({
          sni: socket.servername,
          host: req.headers.host,
          localAddress: socket.localAddress,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('received');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('dials the checked address and speaks TLS to the name: SNI, Host and certificate', async () => {
    seen.length = 0;
    const calls: string[] = [];
    const client = createOutboundClient({
      resolve: resolverOf({ 'hooks.test': '127.0.0.1' }, calls),
      connect: createDirectConnector({ ca: CERT }),
    });
    const res = await client.request(`https://hooks.test:${port}/hook?job=1`, POLICY, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"event":"job.completed"}',
      timeoutMs: 30_000,
      maxBytes: 1000,
    });
    assert.deepEqual(
      [res.status, res.body.toString(), res.url],
      [200, 'received', `https://hooks.test:${port}/hook?job=1`],
    );
    assert.deepEqual(calls, ['hooks.test'], 'the name is resolved once, by the guard');
    assert.deepEqual(seen, [
      {
        sni: 'hooks.test',
        host: `hooks.test:${port}`,
        localAddress: '127.0.0.1',
        body: '{"event":"job.completed"}',
      },
    ]);
  });

  it('verifies the certificate against the URL name, not the address it dialled', async () => {
    seen.length = 0;
    // Same server, same address, another name: the certificate does not cover it.
    const other = createOutboundClient({
      resolve: resolverOf({ 'other.test': '127.0.0.1' }, []),
      connect: createDirectConnector({ ca: CERT }),
    });
    const mismatch = await other
      .request(`https://other.test:${port}/`, POLICY, { timeoutMs: 30_000, maxBytes: 1000 })
      .catch((e: unknown) => e);
    assert.ok(mismatch instanceof OutboundError, String(mismatch));
    assert.equal(mismatch.code, 'connection_failed');
    assert.match(mismatch.message, /ERR_TLS_CERT_ALTNAME_INVALID/);
    // The production dialler trusts the system's authorities only: a self-signed one is refused.
    const untrusted = createOutboundClient({
      resolve: resolverOf({ 'hooks.test': '127.0.0.1' }, []),
    });
    const refused = await untrusted
      .request(`https://hooks.test:${port}/`, POLICY, { timeoutMs: 30_000, maxBytes: 1000 })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof OutboundError, String(refused));
    assert.equal(refused.code, 'connection_failed');
    assert.match(refused.message, /SELF_SIGNED|UNABLE_TO_VERIFY|unable to verify/i);
    assert.deepEqual(seen, [], 'no request reached the server over an unverified connection');
  });

  it('refuses the loopback address over HTTPS without the allow-private setting', async () => {
    const calls: string[] = [];
    const client = createOutboundClient({
      resolve: resolverOf({ 'hooks.test': '127.0.0.1' }, calls),
      connect: createDirectConnector({ ca: CERT }),
    });
    const refused = await client
      .request(
        `https://hooks.test:${port}/`,
        { purpose: 'webhook URL' },
        { timeoutMs: 30_000, maxBytes: 1000 },
      )
      .catch((e: unknown) => e);
    assert.ok(refused instanceof OutboundError);
    assert.equal(refused.code, 'address_not_public');
    assert.deepEqual(calls, ['hooks.test']);
  });
});
