import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import { OutboundError, type OutboundErrorCode } from '../../src/net/outbound-error.js';
import type { CheckedTarget, OutboundPolicy, Resolver } from '../../src/net/outbound-guard.js';
import { createOutboundClient, type Connector } from '../../src/net/outbound-request.js';
import { classifyAddress } from '../../src/net/public-address.js';

/** Every non-public range the guard must refuse, with addresses at its edges. */
const REFUSED: readonly { range: string; ips: readonly string[] }[] = [
  { range: 'loopback', ips: ['127.0.0.1', '127.255.255.254', '::1'] },
  { range: 'private', ips: ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1'] },
  { range: 'link-local', ips: ['169.254.169.254', '169.254.0.1', 'fe80::1', 'febf::1'] },
  { range: 'unique-local', ips: ['fc00::1', 'fd12:3456::1'] },
  { range: 'CGNAT', ips: ['100.64.0.1', '100.127.255.254'] },
  { range: 'benchmarking', ips: ['198.18.0.1', '198.19.255.254', '2001:2::1'] },
  { range: 'multicast', ips: ['224.0.0.1', '239.255.255.250', 'ff02::1', 'ff0e::1'] },
  { range: 'reserved', ips: ['240.0.0.1', '192.0.0.8', '4000::1'] },
  {
    range: 'documentation',
    ips: ['192.0.2.1', '198.51.100.1', '203.0.113.1', '2001:db8::1', '3fff::1'],
  },
  { range: 'unspecified', ips: ['0.0.0.0', '0.1.2.3', '::'] },
  { range: 'broadcast', ips: ['255.255.255.255'] },
  {
    range: 'IPv4-mapped',
    ips: ['::ffff:127.0.0.1', '0:0:0:0:0:ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:10.0.0.1'],
  },
  { range: 'IPv4-translated', ips: ['::ffff:0:127.0.0.1', '::ffff:0:a00:1'] },
  { range: 'IPv4-compatible', ips: ['::127.0.0.1', '::10.0.0.1', '::169.254.169.254'] },
  { range: 'NAT64', ips: ['64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b::c0a8:101'] },
  { range: 'local NAT64', ips: ['64:ff9b:1::808:808', '64:ff9b:1:ffff::1'] },
  { range: '6to4', ips: ['2002:7f00:1::1', '2002:a9fe:a9fe::1', '2002:c0a8:101::1'] },
  // Teredo: server 8.8.8.8 with client 127.0.0.1 (inverted: 80ff:fffe); server 10.0.0.1.
  { range: 'Teredo', ips: ['2001:0:808:808::80ff:fffe', '2001:0:a00:1::f7f7:f7f7'] },
];

const PUBLIC = [
  '8.8.8.8',
  '93.184.216.34',
  '2606:4700::1111',
  '2a00:1450:4007:80e::200e',
  // Embedded forms that end on a public IPv4 address.
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
  '2001:0:808:808::f7f7:f7f7',
];

const ANY: OutboundPolicy = { purpose: 'test URL' };
const url = (ip: string, path = '/') => `http://${ip.includes(':') ? `[${ip}]` : ip}:8080${path}`;

/** A resolver that knows only the names it is given (never the network). */
function resolverOf(names: Record<string, readonly string[]>, calls: string[] = []): Resolver {
  return async (hostname) => {
    calls.push(hostname);
    const ips = names[hostname];
    if (!ips) throw Object.assign(new Error(`unknown name ${hostname}`), { code: 'ENOTFOUND' });
    return ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

async function refusedWith(promise: Promise<unknown>, code: OutboundErrorCode): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OutboundError, String(error));
    assert.equal(error.code, code, error.message);
    return error.message;
  }
  assert.fail(`expected ${code}`);
}

describe('address classification', () => {
  for (const { range, ips } of REFUSED) {
    it(`refuses ${range}: ${ips.join(', ')}`, () => {
      for (const ip of ips) assert.equal(classifyAddress(ip).public, false, ip);
    });
  }
  it('accepts public unicast, and embedded forms of a public IPv4 address', () => {
    for (const ip of PUBLIC) assert.equal(classifyAddress(ip).public, true, ip);
  });
  it('names the embedded address that decided', () => {
    assert.deepEqual(classifyAddress('::ffff:7f00:1'), {
      public: false,
      range: 'ipv4Mapped(loopback)',
      embedded: '127.0.0.1',
    });
    assert.equal(classifyAddress('2001:0:808:808::80ff:fffe').embedded, '127.0.0.1');
    assert.equal(classifyAddress('not an address').public, false);
  });
});

describe('outbound guard: literal addresses, names, schemes', () => {
  const client = createOutboundClient({ resolve: resolverOf({}) });
  for (const { range, ips } of REFUSED) {
    it(`refuses ${range} as a literal URL`, async () => {
      for (const ip of ips) {
        const message = await refusedWith(client.check(url(ip), ANY), 'address_not_public');
        assert.match(message, /not a public address/);
      }
    });
    it(`refuses ${range} behind a name`, async () => {
      const names = Object.fromEntries(ips.map((ip, i) => [`h${i}.example.test`, [ip]]));
      const named = createOutboundClient({ resolve: resolverOf(names) });
      for (const name of Object.keys(names))
        await refusedWith(named.check(`https://${name}/hook`, ANY), 'address_not_public');
    });
  }

  it('accepts public addresses and names, and pins the address it checked', async () => {
    for (const ip of PUBLIC) {
      const { address } = await client.check(url(ip), ANY);
      assert.equal(
        ipaddr.parse(address).toNormalizedString(),
        ipaddr.parse(ip).toNormalizedString(),
      );
    }
    const named = createOutboundClient({ resolve: resolverOf({ 'pub.test': ['8.8.4.4'] }) });
    const target = await named.check('https://pub.test/x', ANY);
    assert.deepEqual([target.address, target.hostname, target.port], ['8.8.4.4', 'pub.test', 443]);
  });

  it('refuses a name when any of its addresses is not public', async () => {
    const mixed = createOutboundClient({
      resolve: resolverOf({ 'mixed.test': ['8.8.8.8', '127.0.0.1'] }),
    });
    await refusedWith(mixed.check('http://mixed.test/', ANY), 'address_not_public');
  });

  it('reads the URL as the connection would: odd IPv4 spellings are loopback too', async () => {
    for (const u of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://[::127.0.0.1]/',
    ])
      await refusedWith(client.check(u, ANY), 'address_not_public');
  });

  it('allows only http and https', async () => {
    for (const u of ['file:///etc/passwd', 'ftp://8.8.8.8/x', 'gopher://8.8.8.8/', 'data:,x'])
      await refusedWith(client.check(u, ANY), 'scheme_not_allowed');
    await refusedWith(client.check('not a url', ANY), 'invalid_url');
  });

  it('lets private addresses through only when the policy allows them', async () => {
    const target = await client.check(url('127.0.0.1'), { ...ANY, allowPrivate: true });
    assert.equal(target.address, '127.0.0.1');
  });

  it('keeps to the allowed hosts, except a configured origin', async () => {
    const images: OutboundPolicy = {
      purpose: 'image URL',
      allowedHosts: ['m.media-amazon.com'],
      trustedOrigins: ['http://127.0.0.1:9000'],
    };
    const cdn = createOutboundClient({
      resolve: resolverOf({ 'm.media-amazon.com': ['10.1.2.3'] }),
    });
    await refusedWith(
      cdn.check('http://127.0.0.1:9001/img0._SL500_.jpg', images),
      'host_not_allowed',
    );
    await refusedWith(cdn.check('http://evil.test/a.jpg', images), 'host_not_allowed');
    // An allowed name still has to resolve to a public address.
    await refusedWith(cdn.check('https://m.media-amazon.com/a.jpg', images), 'address_not_public');
    assert.equal((await cdn.check('http://127.0.0.1:9000/a.jpg', images)).address, '127.0.0.1');
  });

  it('says when a name does not resolve', async () => {
    await refusedWith(client.check('http://nowhere.test/', ANY), 'name_not_resolved');
  });
});

// A loopback listener stands for a public host: the injected connector routes every checked
// target to it, so no request ever leaves the machine, and records which addresses were dialled.
let server: Server;
let port = 0;
let answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string };
before(async () => {
  server = createServer((req, res) => {
    const a = answer(req.url ?? '/');
    res.writeHead(a.status, a.headers).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function loopbackConnector(dialled: CheckedTarget[]): Connector {
  return (target) => {
    dialled.push(target);
    return netConnect({ host: '127.0.0.1', port });
  };
}

describe('outbound guard: redirects and limits', () => {
  for (const { range, ips } of REFUSED) {
    it(`refuses a redirect to ${range}, as a literal and as a name`, async () => {
      const names = Object.fromEntries(ips.map((ip, i) => [`r${i}.example.test`, [ip]]));
      const locations = [
        ...ips.map((ip) => url(ip, '/next')),
        ...Object.keys(names).map((n) => `http://${n}/next`),
      ];
      for (const location of locations) {
        const dialled: CheckedTarget[] = [];
        answer = () => ({ status: 302, headers: { location } });
        const client = createOutboundClient({
          resolve: resolverOf({ ...names, 'start.test': ['8.8.8.8'] }),
          connect: loopbackConnector(dialled),
        });
        const request = client.request('http://start.test/', ANY, {
          timeoutMs: 30_000,
          maxBytes: 1000,
          maxRedirects: 3,
        });
        await refusedWith(request, 'address_not_public');
        assert.deepEqual(
          dialled.map((t) => t.address),
          ['8.8.8.8'],
          location,
        );
      }
    });
  }

  it('follows no redirect unless asked, and re-checks the scheme of every hop', async () => {
    const dialled: CheckedTarget[] = [];
    const client = createOutboundClient({
      resolve: resolverOf({ 'start.test': ['8.8.8.8'] }),
      connect: loopbackConnector(dialled),
    });
    const options = { timeoutMs: 30_000, maxBytes: 1000 };
    answer = () => ({ status: 301, headers: { location: 'http://start.test/elsewhere' } });
    await refusedWith(client.request('http://start.test/', ANY, options), 'redirect_not_followed');
    answer = () => ({ status: 307, headers: { location: 'file:///etc/passwd' } });
    await refusedWith(
      client.request('http://start.test/', ANY, { ...options, maxRedirects: 2 }),
      'scheme_not_allowed',
    );
    assert.equal(dialled.length, 2);
  });

  it('follows an allowed redirect to a public host', async () => {
    const dialled: CheckedTarget[] = [];
    const client = createOutboundClient({
      resolve: resolverOf({ 'start.test': ['8.8.8.8'], 'cdn.test': ['2606:4700::1111'] }),
      connect: loopbackConnector(dialled),
    });
    answer = (path) =>
      path === '/'
        ? { status: 302, headers: { location: 'http://cdn.test/final' } }
        : { status: 200, body: 'done' };
    const res = await client.request('http://start.test/', ANY, {
      timeoutMs: 30_000,
      maxBytes: 1000,
      maxRedirects: 1,
    });
    assert.equal(res.body.toString(), 'done');
    assert.equal(res.url, 'http://cdn.test/final');
    assert.deepEqual(
      dialled.map((t) => t.address),
      ['8.8.8.8', '2606:4700::1111'],
    );
  });

  it('resolves once per hop and connects to that answer (no DNS rebinding)', async () => {
    const dialled: CheckedTarget[] = [];
    const calls: string[] = [];
    let first = true;
    const rebinding: Resolver = async (hostname) => {
      calls.push(hostname);
      const address = first ? '8.8.8.8' : '127.0.0.1';
      first = false;
      return [{ address, family: 4 }];
    };
    const client = createOutboundClient({
      resolve: rebinding,
      connect: loopbackConnector(dialled),
    });
    answer = () => ({ status: 200, body: 'ok' });
    await client.request('http://rebind.test/', ANY, { timeoutMs: 30_000, maxBytes: 100 });
    assert.deepEqual(calls, ['rebind.test']);
    assert.deepEqual(
      dialled.map((t) => t.address),
      ['8.8.8.8'],
    );
  });

  it('refuses an answer over the size limit, declared or streamed', async () => {
    const client = createOutboundClient({
      resolve: resolverOf({ 'big.test': ['8.8.8.8'] }),
      connect: loopbackConnector([]),
    });
    answer = () => ({ status: 200, body: 'x'.repeat(2000) });
    await refusedWith(
      client.request('http://big.test/', ANY, { timeoutMs: 30_000, maxBytes: 1000 }),
      'response_too_large',
    );
    answer = () => ({
      status: 200,
      headers: { 'transfer-encoding': 'chunked' },
      body: 'y'.repeat(5000),
    });
    await refusedWith(
      client.request('http://big.test/', ANY, { timeoutMs: 30_000, maxBytes: 1000 }),
      'response_too_large',
    );
  });

  it('drops the body unread when only the status counts (webhooks)', async () => {
    const client = createOutboundClient({
      resolve: resolverOf({ 'hook.test': ['8.8.8.8'] }),
      connect: loopbackConnector([]),
    });
    answer = () => ({ status: 202, body: 'z'.repeat(200_000) });
    const res = await client.request('http://hook.test/', ANY, {
      method: 'POST',
      body: '{}',
      timeoutMs: 30_000,
      maxBytes: 0,
      readBody: false,
    });
    assert.deepEqual([res.status, res.body.length], [202, 0]);
  });

  it('gives up after its time limit', async () => {
    // A server that never answers: the request can only end by the time limit.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    const client = createOutboundClient({
      resolve: resolverOf({ 'slow.test': ['8.8.8.8'] }),
      connect: () => netConnect({ host: '127.0.0.1', port: silentPort }),
    });
    try {
      await refusedWith(
        client.request('http://slow.test/', ANY, { timeoutMs: 200, maxBytes: 100 }),
        'timeout',
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
