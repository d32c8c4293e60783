import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { DEFAULTS, VARIABLES } from '../../src/config/env.js';

it('the README configuration table lists every variable with its default', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const name of Object.keys(VARIABLES) as (keyof typeof VARIABLES)[]) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    assert.ok(row, `${name} is missing from the README table`);
    const def = DEFAULTS[name];
    if (def !== undefined)
      assert.ok(row.includes(`\`${def}\``), `${name}: README default should be ${def}`);
  }
});
