// A node:test reporter that counts finished tests (not suites) and prints the closing line
// `N passed, N failed` that CI reads, preceded by one `failed: <file> › <test>: <error>` line per
// failing test, so a log whose middle is cut still names what failed. The spec reporter prints
// the details beside it.
import { relative } from 'node:path';

function firstLine(error) {
  const cause = error?.cause ?? error;
  const text = String(cause?.message ?? cause ?? '').trim();
  const line = text
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    if (data.skip || data.todo) skipped += 1;
    else if (event.type === 'test:pass') passed += 1;
    else {
      failed += 1;
      const file = data.file ? relative(process.cwd(), data.file) : '(unknown file)';
      failures.push(`failed: ${file} › ${data.name}: ${firstLine(data.details?.error)}`);
    }
  }
  const tail = skipped > 0 ? `, ${skipped} skipped` : '';
  const list = failures.length > 0 ? `\n${failures.join('\n')}` : '';
  yield `${list}\n${passed} passed, ${failed} failed${tail}\n`;
}
