import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small filesystem a test can fill and free: a database on it meets a real full disk. */
export interface SmallVolume {
  dir: string;
  /** Writes a file until the volume has no room left but `leaveMb` (default 0). */
  fill(leaveMb?: number): void;
  /** Removes what `fill` wrote. */
  free(): void;
  dispose(): void;
}

/**
 * Mounts a `tmpfs` of `sizeMb` (the test machines and CI run as root). Fails with what to do
 * when the mount is refused: the tests that need it are never skipped silently.
 */
export function mountSmallVolume(sizeMb: number): SmallVolume {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-small-volume-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `a tmpfs of ${sizeMb} MB could not be mounted (${String(error)}): the full-disk tests need root (or CAP_SYS_ADMIN) to mount one`,
    );
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill(leaveMb = 0) {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      // The last blocks a partial chunk could take.
      const tail = openSync(filler, 'a');
      try {
        for (let n = 4096; n >= 1; n = Math.floor(n / 2))
          try {
            for (;;) writeSync(tail, Buffer.alloc(n, 1));
          } catch {
            // this size no longer fits: a smaller one may
          }
      } finally {
        closeSync(tail);
      }
      if (leaveMb > 0)
        truncateSync(filler, Math.max(0, statSync(filler).size - leaveMb * 1024 * 1024));
    },
    free() {
      rmSync(filler, { force: true });
    },
    dispose() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
