import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';
import { ROOT } from '../helpers/cli.js';

/**
 * The Node versions the README states are the ones every installed package supports (issue #21):
 * `npm ci` only warns `EBADENGINE` when a dependency wants a newer Node, so a dependency bump
 * that drops Node 20 would go unnoticed. This reads package-lock.json, which records each
 * package's `engines`, and fails naming the package. (.ci/run also fails on the warning itself.)
 */
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};
const CI = readFileSync(join(ROOT, '.ci/run'), 'utf8');

/** "Requirements: Node.js 20.19+, 22.13+ or 24" → one range per major line, each bounded. */
function readmeNodeRange(): { range: string; majors: number[] } {
  const match = /Requirements: Node\.js ((?:\d+(?:\.\d+)?\+?(?:, | or )?)+)/.exec(README);
  assert.ok(match?.[1], 'README states no "Requirements: Node.js X.Y+, …" line');
  const minimums = match[1].split(/, | or /).map((v) => {
    const min = semver.coerce(v);
    assert.ok(min, `README Node version "${v}" is not a version`);
    return min;
  });
  return {
    range: minimums.map((min) => `>=${min.version} <${min.major + 1}.0.0-0`).join(' || '),
    majors: minimums.map((min) => min.major),
  };
}

describe('Node versions', () => {
  const readme = readmeNodeRange();

  it("package.json's engines say what the README says", () => {
    assert.ok(
      semver.subset(readme.range, PACKAGE.engines.node) &&
        semver.subset(PACKAGE.engines.node, readme.range),
      `README: ${readme.range}; package.json engines: ${PACKAGE.engines.node}`,
    );
  });

  it('every locked package supports every Node version the README states (no EBADENGINE)', () => {
    const unsupported: string[] = [];
    for (const [path, entry] of Object.entries(LOCK.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || !wanted) continue;
      if (!semver.validRange(wanted) || !semver.subset(readme.range, wanted))
        unsupported.push(
          `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants ${wanted}`,
        );
    }
    assert.deepEqual(unsupported, [], `README states Node ${readme.range}`);
  });

  it('CI runs the suite on each Node line the README states', () => {
    const lines = /NODE_LINES=\$\{CI_NODE_LINES-([\d ]+)\}/.exec(CI)?.[1]?.split(' ').map(Number);
    assert.ok(lines, '.ci/run sets no NODE_LINES');
    // Node 20 is the machine's own Node, the others are installed by .ci/run.
    assert.deepEqual([20, ...lines], readme.majors);
    const listed = `${readme.majors.slice(0, -1).join(', ')} and ${readme.majors.at(-1)}`;
    assert.ok(README.includes(`tested in CI on Node ${listed}`), `README: tested on ${listed}?`);
  });
});
