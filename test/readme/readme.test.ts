import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';

/**
 * The README's quick-start and REST blocks, run as printed (issue #21): a temporary clone (the
 * repository's files linked into a fresh folder), `demo` started from the quick-start block, then
 * the REST block in bash. Only the port is changed (a free one instead of 8080, so the test
 * never collides with a running service), and `npm ci` is left to CI's own install step.
 */
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first ```sh block after `<!-- readme-test: NAME -->`. */
function block(name: string): string {
  const marker = README.indexOf(`<!-- readme-test: ${name} -->`);
  assert.ok(marker >= 0, `README has no readme-test: ${name} marker`);
  const match = /```sh\n([\s\S]*?)```/.exec(README.slice(marker));
  assert.ok(match?.[1], `no sh block after the ${name} marker`);
  return match[1];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function bash(
  script: string,
  cwd: string,
): { child: ChildProcess; output: () => string; done: Promise<number | null> } {
  // Its own process group: stopping the demo stops npx, node and the worker child together.
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, done };
}

async function waitFor(check: () => boolean, what: string, output: () => string, ms: number) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not in time:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * npx installs the clone (a `file:` dependency) into a folder of npm's cache (`_npx/<hash>`) and
 * never removes it: the test removes the one that names its clone, so runs do not pile them up.
 */
function removeNpxInstallOf(clone: string): void {
  const npx = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_npx');
  if (!existsSync(npx)) return;
  for (const name of readdirSync(npx)) {
    const manifest = join(npx, name, 'package.json');
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(basename(clone)))
      rmSync(join(npx, name), { recursive: true, force: true });
  }
}

describe('the README, run as printed', () => {
  let clone: string;
  let port: number;
  let demo: ReturnType<typeof bash> | undefined;

  before(async () => {
    clone = mkdtempSync(join(tmpdir(), 'c2a-readme-'));
    // `scripts` too: npx installs the project from this folder, which runs its `prepare` script.
    for (const entry of ['node_modules', 'src', 'bin', 'examples', 'scripts'])
      symlinkSync(join(ROOT, entry), join(clone, entry));
    copyFileSync(join(ROOT, 'package.json'), join(clone, 'package.json'));
    port = await freePort();
  });

  after(async () => {
    if (demo && demo.child.exitCode === null && demo.child.pid) {
      process.kill(-demo.child.pid, 'SIGINT');
      await demo.done;
    }
    rmSync(clone, { recursive: true, force: true });
    removeNpxInstallOf(clone);
  });

  const onPort = (text: string) => text.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);

  it('quick start: `npx code2asin demo` shows a finished sample job and a token', async () => {
    const lines = block('quick-start')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    assert.deepEqual(
      lines,
      ['npm ci && npx code2asin demo', 'npm ci && npm test'],
      'the README starts with two commands: the product on embedded defaults, the tests',
    );
    const command = `${lines[0]!.replace(/^npm ci && /, '')} --port ${port}`;
    demo = bash(command, clone);
    const started = demo;
    // Fails at once if the command ends (e.g. npx could not run it) instead of waiting it out.
    await waitFor(
      () => {
        if (started.child.exitCode !== null)
          throw new Error(`demo exited with ${started.child.exitCode}:\n${started.output()}`);
        return /Ctrl-C to stop/.test(started.output());
      },
      'demo',
      started.output,
      600_000,
    );
    const out = started.output();
    assert.match(out, /Token\s+c2a_\S+/);
    assert.match(out, /Sample job\s+\S+ completed: \d+ found/);
    assert.match(out, /Amazon\s+creators on www\.amazon\.fr \(the local Amazon emulator\): ready/);
    assert.ok(
      existsSync(join(clone, 'data/demo/code2asin.db')),
      'the demo database is ./data/demo',
    );
    assert.ok(!existsSync(join(clone, 'data/code2asin.db')), 'never the real database');
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      amazon: { provider: string; source: string };
    };
    assert.deepEqual(
      { provider: health.amazon.provider, source: health.amazon.source },
      { provider: 'creators', source: 'emulator' },
    );
  });

  it('REST API in six commands: TOKEN and JOB set by the commands, the job ends, the file is downloaded', async () => {
    assert.ok(demo, 'the quick start ran');
    const script = `${onPort(block('rest'))}\necho "TOKEN=\${TOKEN:0:4} JOB=$JOB"\n`;
    const rest = bash(script, clone);
    const code = await rest.done;
    const out = rest.output();
    assert.equal(code, 0, out);
    assert.match(out, /"status":"completed"/);
    assert.match(out, /TOKEN=c2a_ JOB=[0-9a-f-]{36}/);
    assert.match(out, /"items":\[/);
    const file = readFileSync(join(clone, 'codes-results.csv'), 'utf8');
    const [header, first] = file.replace(/^\uFEFF/, '').split(/\r?\n/);
    assert.match(header ?? '', /;status;asin;.*;provider$/);
    // The sample job asked the emulator first: this job's answers come from its cache.
    assert.match(first ?? '', /;creators \(emulator\)(, cached)?$/);
  });
});
