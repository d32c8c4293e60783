import { sql } from 'kysely';
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
    if (database.kind === 'postgres') {
      const result = await sql<{
        bytes: string | number;
      }>`select pg_database_size(current_database()) as bytes`.execute(database.db);
      return {
        size_mb: toMb(result.rows[0]?.bytes),
        volume_measured: false,
        note: POSTGRES_VOLUME_NOTE,
      };
    }
    const result = await sql<{
      bytes: number;
    }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(
      database.db,
    );
    return {
      size_mb: toMb(result.rows[0]?.bytes),
      volume_measured: database.dataDir !== undefined,
    };
  } catch {
    return null;
  }
}

function toMb(bytes: string | number | undefined): number {
  return Math.round((Number(bytes ?? 0) / MB) * 10) / 10;
}
