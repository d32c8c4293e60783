import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DatabaseFaultError } from './db-fault.js';

/** A volume the service writes to: the SQLite database's, and the downloaded images'. */
export interface WatchedVolume {
  volume: 'database' | 'images';
  path: string;
}

/** Free space on a volume, as /health, the start-up block and the worker see it. */
export interface VolumeSpace extends WatchedVolume {
  free_mb: number;
  total_mb: number;
  /** Below CODE2ASIN_MIN_FREE_DISK_MB: workers stop claiming until there is room again. */
  low: boolean;
}

/** The volumes to watch: the database's folder (SQLite; PostgreSQL's is not ours to see) and images'. */
export function watchedVolumes(dataDir: string | undefined, imageDir: string): WatchedVolume[] {
  const volumes: WatchedVolume[] = [];
  if (dataDir) volumes.push({ volume: 'database', path: resolve(dataDir) });
  volumes.push({ volume: 'images', path: resolve(imageDir) });
  return volumes;
}

const MB = 1024 * 1024;

/**
 * Free space of each volume (`fs.statfs`, space available to this user). A folder not created
 * yet is measured on its nearest existing parent; a volume that cannot be measured is left out.
 */
export async function measureVolumes(
  volumes: readonly WatchedVolume[],
  minFreeMb: number,
): Promise<VolumeSpace[]> {
  const measured: VolumeSpace[] = [];
  for (const v of volumes) {
    const stats = await statfsOfNearest(v.path);
    if (!stats) continue;
    const free = Math.floor((stats.bavail * stats.bsize) / MB);
    measured.push({
      ...v,
      free_mb: free,
      total_mb: Math.floor((stats.blocks * stats.bsize) / MB),
      low: minFreeMb > 0 && free < minFreeMb,
    });
  }
  return measured;
}

async function statfsOfNearest(
  path: string,
): Promise<{ bavail: number; bsize: number; blocks: number } | null> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return await statfs(p);
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

/** "only 150 MB free on /data (database volume)…", for logs, job logs and /health. */
export function describeLowDisk(low: readonly VolumeSpace[], minFreeMb: number): string {
  const where = low.map((v) => `${v.free_mb} MB free on ${v.path} (${v.volume})`).join(', ');
  return `Paused claiming: ${where}, under CODE2ASIN_MIN_FREE_DISK_MB=${minFreeMb}. Free space on that volume; the job resumes by itself.`;
}

/** Where images are stored: CODE2ASIN_IMAGE_DIR, else `images` next to the SQLite database. */
export function imageDirectory(imageDir: string | undefined, dataDir: string | undefined): string {
  return imageDir ?? resolve(dataDir ?? './data', 'images');
}

/**
 * Refuses, before anything is stored, an input that cannot fit on the SQLite database's volume:
 * every cell is stored at least once and passes through the WAL once more before a checkpoint,
 * so an input needs at least twice its size (a file of codes only needs about 35 times its size:
 * 30,000 EAN-13 codes, 420 KB, took 14.7 MB). A lower bound, never a false refusal: an input
 * that passes may still fill the disk half-way, and is then removed whole (removeFailedIngestion).
 * PostgreSQL's volume is not ours to measure (its server may be another machine): not checked.
 */
export async function assertRoomToStore(
  dataDir: string | undefined,
  inputBytes: number,
): Promise<void> {
  if (!dataDir) return;
  const stats = await statfsOfNearest(resolve(dataDir));
  if (!stats) return;
  const free = stats.bavail * stats.bsize;
  const needed = 2 * inputBytes;
  if (free >= needed && free > 0) return;
  const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
  throw new DatabaseFaultError(
    'disk_full',
    `The upload was not stored: the database's volume (${resolve(dataDir)}) has ${mb(free)} MB free and this input needs at least ${mb(needed)} MB. Nothing was kept; free space on that volume and send it again.`,
    undefined,
    { volume: 'database', path: resolve(dataDir), free_mb: mb(free), needed_mb: mb(needed) },
  );
}
