import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';

let emu: RunningEmulator;
before(async () => {
  emu = await startEmulator({ port: 0 });
});
after(async () => emu.close());

forEachDatabase('code2asin map with a refused credential', (db) => {
  for (const credential of [0, 1]) {
    it(`shows what the token endpoint answered (credential ${credential === 0 ? '2.2' : '3.2'})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'c2a-token-'));
      const input = join(dir, 'codes.csv');
      writeFileSync(input, 'EAN\n3017620422003\n');
      const secret = 'wrong-secret-0123456789';
      const res = await runCli(['map', input, '-o', join(dir, 'out.csv')], {
        ...emu.env('creators', credential),
        AMAZON_CREATORS_CREDENTIAL_SECRET: secret,
        DATABASE_URL: db.url(),
        CODE2ASIN_SECRET_KEY: 'cd'.repeat(32),
      });
      const out = res.stdout + res.stderr;
      assert.equal(res.code, 2, out);
      assert.match(
        out,
        /token endpoint \S+ answered HTTP 401 \(error "invalid_client", error_description "Client authentication failed\."\)/,
      );
      assert.doesNotMatch(out, new RegExp(secret));
      if (credential === 1) assert.match(out, /Versions 3\.x use Login with Amazon/);
    });
  }
});
