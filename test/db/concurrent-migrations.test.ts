import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/db/database.js';
import { postgresAdapter } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createMigrations } from '../../src/db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('concurrent migrators on PostgreSQL [postgres]', () => {
  let fresh: TestDatabase;
  before(async () => {
    fresh = await createTestDatabase('postgres');
  });
  after(async () => fresh.drop());

  it('two pools migrating the same empty database at once apply each migration once', async () => {
    const a = openDatabase(fresh.url);
    const b = openDatabase(fresh.url);
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
      const all = Object.keys(createMigrations(postgresAdapter)).sort();
      assert.deepEqual([...ra.applied, ...rb.applied].sort(), all);
      const tables = await a.db.introspection.getTables();
      assert.ok(tables.some((t) => t.name === 'code2asin_results'));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two `code2asin migrate` processes started together both succeed', async () => {
    const other = await createTestDatabase('postgres');
    try {
      const results = await Promise.all([runMigrate(other.url), runMigrate(other.url)]);
      for (const r of results) assert.equal(r.code, 0, r.output);
      const applied = results.filter((r) => r.output.includes('applied now: 0001-initial'));
      assert.equal(applied.length, 1, results.map((r) => r.output).join('\n'));
    } finally {
      await other.drop();
    }
  });
});

function runMigrate(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/code2asin.js', 'migrate'], {
      env: { ...process.env, DATABASE_URL: url },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
