import { FileError, FileLimitError, type FileErrorCode } from '../files/index.js';
import type { AmazonReadiness } from '../amazon/readiness.js';
import type { ProviderInfo, RequestShape } from './unit-lookup.js';
import type { CreateJobInput } from './create-job.js';
import { JobError, type JobErrorCode } from './errors.js';
import {
  classifyDatabaseFault,
  DatabaseFaultError,
  describeDatabaseFault,
  type DatabaseFaultCode,
} from '../db/db-fault.js';

/** What an ingestion thread is started with (structured-cloned, so plain data). */
export interface IngestThreadData {
  databaseUrl: string;
  logLevel: string;
  secrets: string[];
  quotaTps: number;
  /** CODE2ASIN_WEBHOOK_ALLOW_PRIVATE, for the check of a job's `webhook_url` at creation. */
  webhookAllowPrivate: boolean;
  /**
   * Linux niceness of the thread (0 = as the process). A thread's own: setpriority on the calling
   * thread changes that thread only on Linux, so the API's event loop keeps its priority.
   */
  niceness?: number;
}

/** A job to create in a thread: {@link CreateJobInput} without its callback. */
export type ThreadJobInput = Omit<CreateJobInput, 'onRowsRead'>;

export interface IngestRequest {
  id: number;
  input: ThreadJobInput;
  /**
   * Whether the Amazon settings were ready when the upload came, read by the API process (the
   * thread has no Amazon settings): the job records its provider, or waits for Amazon.
   */
  readiness?: AmazonReadiness;
  /** The provider's batch size and pace as the calling process sees them (pre-flight). */
  requestShape?: RequestShape;
  /** Every provider's readiness and batch shape (job chains: validation and pre-flight). */
  providers?: ProviderInfo[];
}

export type IngestReply =
  | { id: number; kind: 'done'; jobId: string }
  | { id: number; kind: 'failed'; error: SerializedError };

/** An error crossing the thread boundary: domain errors keep their class, code and details. */
export type SerializedError =
  | { kind: 'file' | 'job'; code: string; message: string; details: Record<string, unknown> }
  | {
      kind: 'database';
      code: DatabaseFaultCode;
      message: string;
      details: Record<string, unknown>;
    }
  | { kind: 'other'; message: string };

const LIMIT_CODES: readonly string[] = [
  'too_large',
  'zip_bomb',
  'too_many_rows',
  'too_many_columns',
  'cell_too_long',
  'too_many_strings',
];

export function serializeError(error: unknown): SerializedError {
  if (error instanceof FileError) {
    return {
      kind: 'file',
      code: error.code,
      message: error.message,
      details: { ...error.details },
    };
  }
  if (error instanceof JobError) {
    return { kind: 'job', code: error.code, message: error.message, details: { ...error.details } };
  }
  if (error instanceof DatabaseFaultError) {
    const { code, message, details } = error;
    return { kind: 'database', code, message, details: { ...details } };
  }
  const fault = classifyDatabaseFault(error);
  if (fault)
    return { kind: 'database', code: fault, message: describeDatabaseFault(fault), details: {} };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

/** The error again, as the class the HTTP error mapping knows (a 500 for anything else). */
export function deserializeError(error: SerializedError): Error {
  if (error.kind === 'database')
    return new DatabaseFaultError(error.code, error.message, undefined, error.details);
  if (error.kind === 'job') {
    return new JobError(error.code as JobErrorCode, error.message, error.details);
  }
  if (error.kind === 'file' && LIMIT_CODES.includes(error.code)) {
    const details = error.details as ConstructorParameters<typeof FileLimitError>[2];
    return new FileLimitError(
      error.code as ConstructorParameters<typeof FileLimitError>[0],
      error.message,
      details,
    );
  }
  if (error.kind === 'file')
    return new FileError(error.code as FileErrorCode, error.message, error.details);
  return new Error(`ingestion thread: ${error.message}`);
}
