import type { Database } from './database.js';

/** What is known of the space the database takes, for /health and the start-up block. */
export interface DatabaseStorage {
  /** SQLite: the database file's pages; PostgreSQL: `pg_database_size(current_database())`. */
  size_mb: number;
  /** Whether the free space of the volume holding it is measured here (then `disk` lists it). */
  volume_measured: boolean;
  /** What is not watched, and what to do about it (PostgreSQL). */
  note?: string;
}

/**
 * PostgreSQL keeps its files on the database server, in general another machine or a container
 * with its own filesystem. A path it reports (`data_directory`) would be measured on this
 * machine's filesystem, which is not necessarily the one holding it: no free space is claimed.
 */
export const POSTGRES_VOLUME_NOTE =
  "PostgreSQL's own volume is not measured here (its data directory is on the database server) and CODE2ASIN_MIN_FREE_DISK_MB does not cover it: watch that server's disk. When it fills, writes answer 503 disk_full and the worker holds until it has room.";

const MB = 1024 * 1024;

/** The database's size as its engine reports it; null when it does not answer. */
export async function measureDatabaseStorage(database: Database): Promise<DatabaseStorage | null> {
  try {
    const result = await database.dialect.databaseSizeBytes().execute(database.db);
    const size_mb = toMb(result.rows[0]?.bytes);
    // A server's files are on its own machine: nothing here measures their volume.
    if (database.dialect.remoteServer)
      return { size_mb, volume_measured: false, note: POSTGRES_VOLUME_NOTE };
    return { size_mb, volume_measured: database.dataDir !== undefined };
  } catch {
    return null;
  }
}

function toMb(bytes: string | number | undefined): number {
  return Math.round((Number(bytes ?? 0) / MB) * 10) / 10;
}
