import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { creatorsCall, creatorsToken, postForm, postJson, startTestEmulator } from './helpers.js';

describe('Creators API token endpoints and authentication', () => {
  let emu: RunningEmulator;
  let v22: Record<string, string>;
  let v32: Record<string, string>;
  before(async () => {
    emu = await startTestEmulator({ generate: { count: 60, seed: 7 } });
    v22 = emu.env('creators', 0);
    v32 = emu.env('creators', 1);
  });
  after(() => emu.close());

  const form = (e: Record<string, string>, extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: e.AMAZON_CREATORS_CREDENTIAL_ID ?? '',
    client_secret: e.AMAZON_CREATORS_CREDENTIAL_SECRET ?? '',
    scope: 'creatorsapi/default',
    ...extra,
  });

  it('2.x: credentials in the body give a Cognito-shaped token', async () => {
    const res = await postForm(`${emu.url}/oauth2/token`, form(v22));
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.match(res.body.access_token as string, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('2.x: HTTP Basic credentials work too', async () => {
    const basic = Buffer.from(
      `${v22.AMAZON_CREATORS_CREDENTIAL_ID}:${v22.AMAZON_CREATORS_CREDENTIAL_SECRET}`,
    ).toString('base64');
    const res = await postForm(
      `${emu.url}/oauth2/token`,
      { grant_type: 'client_credentials', scope: 'creatorsapi/default' },
      { authorization: `Basic ${basic}` },
    );
    assert.equal(res.status, 200);
  });

  it('3.x: JSON body and scope creatorsapi::default give an LWA-shaped token', async () => {
    const res = await postJson(
      `${emu.url}/auth/o2/token`,
      form(v32, { scope: 'creatorsapi::default' }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, 'creatorsapi::default');
    assert.equal(res.body.token_type, 'bearer');
    assert.match(res.body.access_token as string, /^Atc\|/);
  });

  it('answers OAuth2 errors for bad secret, scope, grant and endpoint', async () => {
    const bad = await postForm(`${emu.url}/oauth2/token`, form(v22, { client_secret: 'nope' }));
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'invalid_client');
    const scope = await postForm(
      `${emu.url}/oauth2/token`,
      form(v22, { scope: 'creatorsapi::default' }),
    );
    assert.equal(scope.body.error, 'invalid_scope');
    const grant = await postForm(`${emu.url}/oauth2/token`, form(v22, { grant_type: 'password' }));
    assert.equal(grant.body.error, 'unsupported_grant_type');
    const json = await postJson(`${emu.url}/oauth2/token`, form(v22));
    assert.equal(json.body.error, 'invalid_request');
    const wrongEndpoint = await postJson(
      `${emu.url}/auth/o2/token`,
      form(v22, { scope: 'creatorsapi::default' }),
    );
    assert.equal(wrongEndpoint.body.error, 'invalid_client');
  });

  it('requires ", Version 2.x" for 2.x credentials and refuses it for 3.x', async () => {
    const t22 = await creatorsToken(emu, 0);
    const missing = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { auth: `Bearer ${t22}` },
    );
    assert.equal(missing.status, 401);
    assert.equal(missing.body.reason, 'InvalidIssuer');
    const wrong = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { auth: `Bearer ${t22}, Version 2.1` },
    );
    assert.equal(wrong.status, 401);
    const t32 = await creatorsToken(emu, 1);
    const extra = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { credential: 1, auth: `Bearer ${t32}, Version 3.2` },
    );
    assert.equal(extra.status, 401);
    const ok = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { credential: 1, token: t32 },
    );
    assert.notEqual(ok.status, 401);
  });

  it('401 bodies: missing credentials, invalid token', async () => {
    const none = await postJson(
      `${emu.url}/catalog/v1/searchItems`,
      { keywords: 'x' },
      { 'x-marketplace': 'www.amazon.fr' },
    );
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, {
      type: 'UnauthorizedException',
      message: 'Missing authentication credentials.',
      reason: 'MissingCredential',
    });
    const bad = await creatorsCall(emu, 'searchItems', { keywords: 'x' }, { token: 'eyJforged' });
    assert.deepEqual(bad.body, {
      type: 'UnauthorizedException',
      message: 'The authentication token is invalid or malformed.',
      reason: 'InvalidToken',
    });
  });

  it('a revoked token gets 401 InvalidToken; a new token works', async () => {
    const token = await creatorsToken(emu, 0);
    assert.equal(
      (await creatorsCall(emu, 'searchItems', { keywords: 'lego' }, { token })).status === 401,
      false,
    );
    emu.revokeTokens();
    const res = await creatorsCall(emu, 'searchItems', { keywords: 'lego' }, { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.reason, 'InvalidToken');
  });

  it('x-marketplace: required, known, in the credential region', async () => {
    const missing = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { marketplace: null },
    );
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.fieldList, [
      { name: 'x-marketplace', message: 'x-marketplace is required.' },
    ]);
    const na = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { marketplace: 'www.amazon.com' },
    );
    assert.equal(na.status, 400);
    assert.equal(na.body.reason, 'InvalidAssociate');
    const fromNa = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'lego' },
      { credential: 2, marketplace: 'www.amazon.fr' },
    );
    assert.equal(fromNa.body.reason, 'InvalidAssociate');
  });

  it('403 AssociateNotEligible for a credential flagged not eligible', async () => {
    const res = await creatorsCall(emu, 'searchItems', { keywords: 'lego' }, { credential: 3 });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, {
      type: 'AccessDeniedException',
      message: 'Your account does not currently meet the eligibility requirements.',
      reason: 'AssociateNotEligible',
    });
  });
});

describe('Creators API token expiry', () => {
  let emu: RunningEmulator;
  // The emulator's clock, moved by the test: the token expires when the test says, not after a
  // real second (no sleep, nothing to race).
  let now = Date.parse('2026-11-27T00:00:00Z');
  before(async () => {
    emu = await startTestEmulator({
      generate: { count: 20, seed: 3 },
      tokenTtlS: 1,
      now: () => now,
    });
  });
  after(() => emu.close());

  it('expires_in follows tokenTtlS and an expired token gets 401 TokenExpired', async () => {
    const token = await creatorsToken(emu, 0);
    now += 999;
    const valid = await creatorsCall(emu, 'searchItems', { keywords: 'lego' }, { token });
    // Accepted (the search ran: this catalog has no match, 404), not refused with 401.
    assert.equal(valid.status, 404, 'still valid just before its second ends');
    now += 2;
    const res = await creatorsCall(emu, 'searchItems', { keywords: 'lego' }, { token });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, {
      type: 'UnauthorizedException',
      message: 'Authentication token has expired.',
      reason: 'TokenExpired',
    });
  });
});
