// A node:test reporter that counts finished tests (not suites) and prints the closing line
// `N passed, N failed` that CI reads. The spec reporter prints the details beside it.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    if (data.skip || data.todo) skipped += 1;
    else if (event.type === 'test:pass') passed += 1;
    else failed += 1;
  }
  const tail = skipped > 0 ? `, ${skipped} skipped` : '';
  yield `\n${passed} passed, ${failed} failed${tail}\n`;
}
