import { readFileSync, readdirSync } from 'node:fs';

/**
 * The `code2asin worker --supervised` children of a process (Linux /proc). Other children come
 * and go (tsx's esbuild service, for one), so they are told apart by their command line.
 */
export function workerChildrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`)
    .flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    )
    .filter((child) => {
      try {
        const args = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
        return args.includes('worker') && args.includes('--supervised');
      } catch {
        return false; // gone meanwhile
      }
    });
}
