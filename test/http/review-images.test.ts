import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { toJson } from '../../src/db/dialect.js';
import { createOutboundClient } from '../../src/net/outbound-request.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, jobId, SAMPLE_CODES } from './jobs-helpers.js';

// A 1×1 PNG.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000f9f1b8ad0000000d49444154789c63f8cfc0f01f0005000201e2213b430000000049454e44ae426082',
  'hex',
);

/** The loopback listener every allowed connection reaches, and the paths it was asked for. */
let images: Server;
const asked: string[] = [];
before(async () => {
  images = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url?.startsWith('/img/')) res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<p>');
    else if (req.url === '/huge')
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(3 * 1024 * 1024));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
});
after(() => new Promise((r) => images.close(r)));

const CDN = 'http://m.media-amazon.com';
/** Amazon's image hosts resolve to public addresses (injected, no DNS), except a rebound one. */
const outbound = () =>
  createOutboundClient({
    resolve: async (host) =>
      host === 'images-eu.ssl-images-amazon.com'
        ? [{ address: '127.0.0.1', family: 4 }]
        : [{ address: '52.94.236.248', family: 4 }],
    connect: () => netConnect({ host: '127.0.0.1', port: (images.address() as AddressInfo).port }),
  });

const IMAGES: Record<string, string> = {
  B0IMAGE001: `${CDN}/img/one.png`,
  B0IMAGE002: `${CDN}/page`,
  B0IMAGE003: `${CDN}/huge`,
  B0IMAGE004: 'http://169.254.169.254/latest/meta-data/',
  B0IMAGE005: 'http://images-eu.ssl-images-amazon.com/img/rebound.png',
  B0IMAGE006: 'file:///etc/passwd',
};

forEachDatabase('review thumbnails through the outbound guard', (ctx) => {
  let t: TestApp;
  let alice: string;
  let id: string;
  let resultId: number;
  before(async () => {
    t = await createTestApp(ctx.database(), { imageOutbound: outbound() });
    alice = await t.tokenFor('alice', ['read']);
    const writer = await t.tokenFor('alice', ['read', 'write']);
    id = await jobId(t, { name: 'Pictures', codes: SAMPLE_CODES, auto_start: false }, writer);
    const row = await ctx
      .database()
      .db.selectFrom('code2asin_results')
      .select('id')
      .where('job_id', '=', id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    resultId = row.id;
    const candidates = [
      ...Object.entries(IMAGES).map(([asin, image]) => ({ asin, title: asin, image })),
      { asin: 'B0NOIMAGE1', title: 'none', image: null },
    ];
    await ctx
      .database()
      .db.updateTable('code2asin_results')
      .set({
        status: 'to_review',
        proposed_asin: 'B0IMAGE001',
        candidates: toJson(candidates),
        // A result stored before candidates had images: its product's first image still counts.
        product: toJson({ asin: 'B0OLDPROD1', images: [`${CDN}/img/old.png`] }),
      })
      .where('id', '=', resultId)
      .execute();
  });
  after(() => t.close());

  const image = (asin: string, token = alice, result = resultId) =>
    t.call({ method: 'GET', url: `${BASE}/jobs/${id}/results/${result}/images/${asin}`, token });

  it("serves a candidate's image fetched by the server, cached, with a read token", async () => {
    asked.length = 0;
    const first = await image('B0IMAGE001');
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['content-type'], 'image/png');
    assert.match(String(first.headers['cache-control']), /private, max-age=86400/);
    assert.match(String(first.headers['content-security-policy']), /default-src 'none'/);
    assert.deepEqual(first.rawPayload, PNG);
    const again = await image('B0IMAGE001');
    assert.deepEqual(again.rawPayload, PNG);
    assert.deepEqual(asked, ['/img/one.png'], 'the second answer came from the cache');
    const old = await image('B0OLDPROD1');
    assert.equal(old.statusCode, 200);
    assert.deepEqual(asked, ['/img/one.png', '/img/old.png']);
  });

  it('refuses what is not an image, too large, or off the image hosts, without asking them', async () => {
    asked.length = 0;
    const page = await image('B0IMAGE002');
    assert.equal(page.statusCode, 502);
    assert.equal(errorOf(page).code, 'not_an_image');
    const huge = await image('B0IMAGE003');
    assert.equal(huge.statusCode, 502);
    assert.equal(errorOf(huge).code, 'image_unavailable');
    assert.equal(errorOf(huge).details.reason, 'response_too_large');
    assert.deepEqual(asked, ['/page', '/huge']);
    asked.length = 0;
    for (const [asin, reason] of [
      ['B0IMAGE004', 'host_not_allowed'],
      ['B0IMAGE005', 'address_not_public'],
      ['B0IMAGE006', 'scheme_not_allowed'],
    ] as const) {
      const res = await image(asin);
      assert.equal(res.statusCode, 403, asin);
      assert.equal(errorOf(res).code, 'image_refused');
      assert.equal(errorOf(res).details.reason, reason);
    }
    assert.deepEqual(asked, [], 'no refused URL reached the listener');
  });

  it('names only images of the caller’s results: other ASINs, results and owners answer 404', async () => {
    const none = await image('B0NOIMAGE1');
    assert.equal(none.statusCode, 404);
    assert.equal(errorOf(none).code, 'image_not_found');
    assert.equal((await image('B0NOTTHERE')).statusCode, 404);
    assert.equal((await image('B0IMAGE001', alice, resultId + 1000)).statusCode, 404);
    const bob = await t.tokenFor('bob', ['read']);
    const other = await image('B0IMAGE001', bob);
    assert.equal(other.statusCode, 404);
    assert.equal(errorOf(other).code, 'job_not_found');
    const bad = await image('not-an-asin!');
    assert.equal(bad.statusCode, 400);
  });
});
