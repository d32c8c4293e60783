import type { JobOptions } from './job-options.js';

/** What the worker reads once per job it serves: owner, options and marketplaces. */
export interface JobInfo {
  owner: string;
  options: JobOptions;
  marketplaces: string[];
}

/**
 * A worker's copy of the jobs it serves. Entries are dropped when the job stops processing (ends,
 * pauses, is deleted: the worker's status refresh tells), and the least recently used go past
 * `limit`, so a worker that runs for months over thousands of jobs holds only its running ones.
 */
export class JobInfoCache {
  private readonly entries = new Map<string, JobInfo>();

  /** 256 running jobs served by one worker is far past what fair claiming serves at once. */
  constructor(private readonly limit = 256) {}

  get size(): number {
    return this.entries.size;
  }

  get(jobId: string): JobInfo | undefined {
    const info = this.entries.get(jobId);
    if (info) {
      // Most recently used last: the first entry is the one to drop past the limit.
      this.entries.delete(jobId);
      this.entries.set(jobId, info);
    }
    return info;
  }

  set(jobId: string, info: JobInfo): void {
    this.entries.delete(jobId);
    this.entries.set(jobId, info);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limit) break;
      this.entries.delete(oldest);
    }
  }

  drop(jobId: string): void {
    this.entries.delete(jobId);
  }

  jobIds(): string[] {
    return [...this.entries.keys()];
  }
}
