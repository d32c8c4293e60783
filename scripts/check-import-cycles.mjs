// Fails (exit 1) when the server's modules import each other in a circle, type-only imports
// included: one-way layers (eslint.config.js) keep folders apart, this keeps files apart inside
// a folder. Run by `npm run lint`. Uses TypeScript's own import scanner, so no extra dependency.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(process.argv[2] ?? 'src');
const SKIP = new Set([join(ROOT, 'web')]);

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(path) ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a file, as file paths (`./x.js` → `./x.ts`). */
function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
    .filter((path) => existsSync(path));
}

/** Strongly connected components with more than one file (Tarjan), i.e. the cycles. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const found = [];
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index += 1;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack)
        info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low !== info.get(v).index) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
  };
  for (const v of graph.keys()) if (!info.has(v)) visit(v);
  return found;
}

const graph = new Map(sourceFiles(ROOT).map((f) => [f, importsOf(f)]));
const found = cycles(graph);
for (const component of found)
  console.error(
    `Import cycle among: ${component.map((f) => relative(process.cwd(), f)).join(', ')}`,
  );
if (found.length > 0) {
  console.error(
    `${found.length} import cycle(s): move the shared types or functions to a module both can import.`,
  );
  process.exit(1);
}
console.log(`No import cycles among ${graph.size} modules of ${relative(process.cwd(), ROOT)}/.`);
