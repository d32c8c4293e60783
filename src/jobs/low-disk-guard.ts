import {
  describeLowDisk,
  measureVolumes,
  type VolumeSpace,
  type WatchedVolume,
} from '../db/disk-space.js';
import type { JobsContext } from './context.js';
import { jobsToServe } from './worker-repository.js';

export interface LowDiskGuardOptions {
  volumes: readonly WatchedVolume[];
  /** CODE2ASIN_MIN_FREE_DISK_MB; 0 turns the guard off. */
  minFreeMb: number;
  jobIds?: readonly string[];
  /** How often free space is measured while claiming (default 2 s). */
  checkEveryMs?: number;
}

/**
 * Stops the worker claiming while a watched volume has less free space than the threshold, so a
 * disk is seen filling before SQLite (or the images) fill it. Running jobs get a log entry saying
 * why they do not move, and another when they resume; the process log gets one line for each.
 */
export interface LowDiskGuard {
  /** Milliseconds to wait before claiming (0: enough room). */
  holdMs(): Promise<number>;
}

export function createLowDiskGuard(ctx: JobsContext, options: LowDiskGuardOptions): LowDiskGuard {
  const every = options.checkEveryMs ?? 2_000;
  let checkedAt = -Infinity;
  let low: VolumeSpace[] = [];
  return {
    async holdMs() {
      if (options.minFreeMb <= 0 || options.volumes.length === 0) return 0;
      if (Date.now() - checkedAt >= every) {
        checkedAt = Date.now();
        const now = (await measureVolumes(options.volumes, options.minFreeMb)).filter((v) => v.low);
        if (now.length > 0 && low.length === 0) await tellJobs(ctx, options, now, 'paused');
        if (now.length === 0 && low.length > 0) await tellJobs(ctx, options, low, 'resumed');
        low = now;
      }
      return low.length > 0 ? every : 0;
    },
  };
}

async function tellJobs(
  ctx: JobsContext,
  options: LowDiskGuardOptions,
  volumes: VolumeSpace[],
  what: 'paused' | 'resumed',
): Promise<void> {
  const message =
    what === 'paused'
      ? describeLowDisk(volumes, options.minFreeMb)
      : `Resumed claiming: free space is back above CODE2ASIN_MIN_FREE_DISK_MB=${options.minFreeMb}.`;
  if (what === 'paused') ctx.logger.warn({ volumes }, message);
  else ctx.logger.info({ volumes: volumes.map((v) => v.path) }, message);
  const jobs = await jobsToServe(ctx.database.db, { jobIds: options.jobIds, limit: 50 }).catch(
    () => [],
  );
  for (const jobId of jobs)
    await ctx.createJobLog(jobId, what === 'paused' ? 'WARNING' : 'INFO', message, {
      reason: 'low_disk',
      volumes: volumes.map((v) => ({ path: v.path, volume: v.volume, free_mb: v.free_mb })),
    });
}
