import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { QuotaEntry } from '../../src/amazon/quota-dashboard.js';
import { parseCode } from '../../src/codes/index.js';
import type { ProviderName } from '../../src/config/provider-names.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

// `code2asin map --providers … --enrich-with …` and `code2asin quota` as real processes against
// the emulator (issue 16). Each provider's code search sees a different third of the codes; the
// quota figures are checked against the emulator's own statistics. `map` writes its quota
// figures only when it stops (CODE2ASIN_QUOTA_FLUSH_MS is an hour here): the figures `quota`
// shows are the ones flushed at the end.

const CHAIN: ProviderName[] = ['spapi', 'creators', 'keepa'];
let dir: string;
let emu: RunningEmulator;
const owner = new Map<string, { asin: string; provider: ProviderName }>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c2a-chain-cli-'));
  const catalog = generateCatalog(200, 11);
  const fr = catalog.marketplaces['www.amazon.fr'];
  assert.ok(fr);
  const byAsin = new Map(fr.products.map((p) => [p.asin, p]));
  const picked = (catalog.truth ?? []).filter((t) => t.case === 'exact_unique' && t.asin);
  for (const [i, t] of picked.slice(0, 12).entries()) {
    const product = byAsin.get(t.asin as string);
    assert.ok(product);
    const provider = CHAIN[i % 3] as ProviderName;
    product.codeProtocols = [provider];
    const parsed = parseCode(t.code);
    assert.ok(parsed.valid, t.code);
    owner.set(parsed.code, { asin: product.asin, provider });
  }
  assert.equal(owner.size, 12);
  emu = await startEmulator({ port: 0, catalog, tps: 50, burst: 10, latencyMs: 0 });
});
after(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(database: string, without: string[] = []): Record<string, string> {
  const all: Record<string, string> = {
    ...(emu.env('creators') as Record<string, string>),
    ...(emu.env('keepa') as Record<string, string>),
    ...(emu.env('spapi') as Record<string, string>),
    AMAZON_PROVIDER: 'spapi',
    AMAZON_TPS: '50',
    AMAZON_BURST: '10',
    AMAZON_CHAIN_RATES: 'creators=50/10,keepa=50/10',
    CODE2ASIN_AMAZON_SOURCE: 'emulator',
    CODE2ASIN_QUOTA_FLUSH_MS: '3600000',
    CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
    DATABASE_URL: `sqlite:${join(dir, database)}`,
  };
  for (const name of without) delete all[name];
  return all;
}

/** The emulator's count of one credential's API requests (the token endpoints left out). */
function emulatorRequests(credential: string): { requests: number; throttled: number } {
  const s = emu.stats().credentials[credential];
  let requests = 0;
  let throttled = 0;
  for (const [op, o] of Object.entries(s?.operations ?? {})) {
    if (op === 'token') continue;
    requests += o.requests;
    throttled += o.status['429'];
  }
  return { requests, throttled };
}

describe('map with a provider chain, then quota', () => {
  it('map --providers spapi,creators,keepa --enrich-with creators: the union found; quota matches the emulator', async () => {
    const file = join(dir, 'codes.csv');
    writeFileSync(file, `EAN\n${[...owner.keys()].join('\n')}\n`);
    const out = join(dir, 'out.csv');
    emu.resetStats();
    const args = ['map', file, '-o', out, '--providers', 'spapi,creators,keepa'];
    const res = await runCli([...args, '--enrich-with', 'creators'], env('map.db'));
    assert.equal(res.code, 0, res.stderr);
    const lines = parse(readFileSync(out, 'utf8'), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    assert.equal(lines.length, owner.size);
    for (const line of lines) {
      const want = owner.get(line.EAN ?? '');
      assert.ok(want, JSON.stringify(line));
      assert.equal(line.asin, want.asin, line.EAN);
      const outcomes = line.provider_outcomes ?? '';
      const steps = CHAIN.slice(0, CHAIN.indexOf(want.provider) + 1);
      const said = steps.map((p) => `${p}: ${p === want.provider ? 'found' : 'not_found'}`);
      // The enricher follows what another provider found (the Creators API's own answers need none).
      if (want.provider !== 'creators') said.push(/creators: (enriched|no_offer)/.source);
      assert.match(outcomes, new RegExp(`^${said.join(' \\| ')}$`), line.EAN);
    }

    const quota = await runCli(['quota', '--json'], env('map.db'));
    assert.equal(quota.code, 0, quota.stderr);
    const view = JSON.parse(quota.stdout) as { credentials: QuotaEntry[] };
    assert.deepEqual(view.credentials.map((c) => c.provider).sort(), [...CHAIN].sort());
    const ids: Record<ProviderName, string> = {
      spapi: emu.env('spapi').AMAZON_SPAPI_CLIENT_ID as string,
      creators: emu.env('creators').AMAZON_CREATORS_CREDENTIAL_ID as string,
      keepa: Object.keys(emu.stats().keepa ?? {})[0] as string,
      paapi: '',
    };
    for (const entry of view.credentials) {
      const counted = emulatorRequests(ids[entry.provider as ProviderName]);
      assert.ok(counted.requests >= 1, `${entry.provider} was asked`);
      assert.equal(entry.requests.today, counted.requests, `${entry.provider} requests`);
      assert.equal(entry.throttled.today, counted.throttled, `${entry.provider} 429s`);
    }
    const keepa = view.credentials.find((c) => c.provider === 'keepa');
    const tokens = Object.values(emu.stats().keepa ?? {})[0];
    assert.equal(keepa?.tokens.today, tokens?.tokensConsumed, 'Keepa tokens spent');
    assert.ok(!quota.stdout.includes(emu.env('keepa').AMAZON_KEEPA_KEY as string), 'key hidden');

    // The same figures in words.
    const words = await runCli(['quota'], env('map.db'));
    assert.equal(words.code, 0, words.stderr);
    for (const entry of view.credentials) {
      assert.match(words.stdout, new RegExp(`^${entry.provider} `, 'm'));
      // Today's count only: a minute may have passed since the JSON was read on a busy machine.
      assert.match(words.stdout, new RegExp(`requests +\\d+ / \\d+ / ${entry.requests.today} `));
    }
  });

  it('quota on a database with no request says so', async () => {
    const res = await runCli(['quota'], env('empty.db'));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /No Amazon request recorded in this database yet/);
    const json = await runCli(['quota', '--json'], env('empty.db'));
    assert.deepEqual((JSON.parse(json.stdout) as { credentials: unknown[] }).credentials, []);
  });

  it('bad --providers / --enrich-with values are refused with a sentence naming the flag', async () => {
    const file = join(dir, 'codes.csv');
    const cases: [string[], RegExp][] = [
      [
        ['--providers', 'spapi,amazon'],
        /--providers must be one of creators, paapi, spapi, keepa \(got "amazon"\)/,
      ],
      [['--providers', 'spapi,keepa,spapi'], /--providers names a provider twice/],
      [['--providers', ' , '], /--providers needs at least one provider/],
      [['--enrich-with', 'prices'], /--enrich-with must be one of .* \(got "prices"\)/],
    ];
    for (const [flags, message] of cases) {
      const res = await runCli(['map', file, ...flags], env('bad.db'));
      assert.notEqual(res.code, 0, flags.join(' '));
      assert.match(res.stderr, message, flags.join(' '));
    }
    // A provider whose credentials are not set: refused before anything is stored.
    const res = await runCli(
      ['map', file, '--providers', 'spapi,keepa'],
      env('bad.db', ['AMAZON_KEEPA_KEY']),
    );
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /providers: keepa is not configured \(set AMAZON_KEEPA_KEY\)/);
  });
  it('map --providers spapi,keepa with a wrong Keepa key: SP-API answers stand, the rest fail naming Keepa; run again with the key fixed', async () => {
    const mine = [...owner].filter(([, o]) => o.provider !== 'creators');
    const file = join(dir, 'refused.csv');
    writeFileSync(file, `EAN\n${mine.map(([code]) => code).join('\n')}\n`);
    const out = join(dir, 'refused.csv.out.csv');
    const args = ['map', file, '-o', out, '--providers', 'spapi,keepa'];
    const wrongKey = 'wrong-keepa-key-000000000000000000000000000000000000000000000';
    const first = await runCli(args, { ...env('refused.db'), AMAZON_KEEPA_KEY: wrongKey });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /failed: 4 code\(s\) not looked up: Keepa \(keepa, auth\)/);
    assert.match(first.stdout, /AMAZON_KEEPA_KEY.*\n.*Run the same command again/);
    assert.ok(!first.stdout.includes(wrongKey) && !first.stderr.includes(wrongKey), 'key hidden');
    const rows = () =>
      parse(readFileSync(out, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    for (const line of rows()) {
      const want = owner.get(line.EAN ?? '');
      assert.ok(want);
      if (want.provider === 'spapi') assert.equal(line.asin, want.asin, line.EAN);
      else assert.match(line.provider_outcomes ?? '', /^spapi: not_found \| keepa: unusable$/);
    }
    emu.resetStats();
    const again = await runCli(args, env('refused.db'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Resuming job .* \(failed,/);
    for (const line of rows()) assert.equal(line.asin, owner.get(line.EAN ?? '')?.asin, line.EAN);
    const spapi = emulatorRequests(emu.env('spapi').AMAZON_SPAPI_CLIENT_ID as string);
    assert.equal(spapi.requests, 0, 'SP-API is not asked again');
  });
});
