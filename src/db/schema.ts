import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of every table. Portable representations, the same on both dialects:
 * timestamps are ISO-8601 UTC strings, JSON columns are JSON text (jsonb on PostgreSQL, text on
 * SQLite; read back as text on both, see `dialect.ts`), booleans are integers 0/1.
 */
export type Timestamp = string;
export type JsonText = string;
type Id = Generated<number>;
type Counter = ColumnType<number, number | undefined, number>;

export interface JobsTable {
  id: string;
  owner: string;
  name: string;
  supplier_code: string | null;
  status: string;
  marketplaces: JsonText;
  options: JsonText;
  source_file_name: string | null;
  source_format: string | null;
  detected_columns: JsonText | null;
  preflight: JsonText | null;
  total_rows: Counter;
  valid_rows: Counter;
  invalid_rows: Counter;
  duplicate_rows: Counter;
  cached_count: Counter;
  to_query: Counter;
  done_count: Counter;
  found_count: Counter;
  not_found_count: Counter;
  /** Units whose best candidate waits for a person (status `to_review`). */
  to_review_count: Counter;
  error_count: Counter;
  retry_count: Counter;
  next_retry_at: Timestamp | null;
  error_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  /** When the worker last claimed units of this job: claiming serves the least recent first. */
  last_claimed_at: Timestamp | null;
  /** SHA-256 of the uploaded file, to find the job again (`code2asin map` resumes it). */
  source_sha256: string | null;
  /** Provider the job runs on (`creators`, `paapi`); null for a direct import. */
  provider: ColumnType<string | null, string | null | undefined, string | null>;
  /** What that provider pointed at: `amazon` or `emulator`. */
  provider_source: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RowsTable {
  job_id: string;
  row_number: number;
  raw_code: string | null;
  gtin: string | null;
  code: string | null;
  code_type: string | null;
  valid: number;
  reason: string | null;
  flags: JsonText | null;
  cells: JsonText;
}

export interface ResultsTable {
  id: Id;
  job_id: string;
  marketplace: string;
  gtin: string;
  code: string;
  code_type: string | null;
  /** Row context for matching (title, brand, quantity of the first row with this code). */
  context: JsonText | null;
  status: string;
  claimed_by: string | null;
  lease_until: Timestamp | null;
  attempts: Counter;
  next_attempt_at: Timestamp | null;
  source: string | null;
  asin: string | null;
  /** The best candidate when a person must decide (status `to_review`); `asin` is then null. */
  proposed_asin: ColumnType<string | null, string | null | undefined, string | null>;
  match_type: string | null;
  confidence: number | null;
  reasons: JsonText | null;
  candidates: JsonText | null;
  product: JsonText | null;
  error_class: string | null;
  error_message: string | null;
  previous_asin: string | null;
  request_id: string | null;
  /** The provider that answered (migration 0004); null before it, and for manual choices. */
  provider: string | null;
  /** The step of the job's provider chain the unit waits for (migration 0010). */
  chain_step: ColumnType<number, number | undefined, number>;
  /** What each provider of the chain said, in order (JSON `ProviderOutcome[]`). */
  provider_outcomes: ColumnType<JsonText | null, JsonText | null | undefined, JsonText | null>;
  processing_ms: number | null;
  /** 1 when the unit needs a person (the review queue), computed by the database (migration 0015). */
  needs_review: ColumnType<number, never, never>;
  /** 1 when the product has an image / a price, computed by the database (migration 0015). */
  has_images: ColumnType<number, never, never>;
  has_price: ColumnType<number, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LogsTable {
  id: Id;
  job_id: string | null;
  level: string;
  message: string;
  details: JsonText | null;
  created_at: Timestamp;
}

export interface MappingsTable {
  marketplace: string;
  gtin: string;
  asin: string | null;
  proposed_asin: ColumnType<string | null, string | null | undefined, string | null>;
  match_type: string | null;
  confidence: number | null;
  reasons: JsonText | null;
  candidates: JsonText | null;
  product: JsonText | null;
  request_id: string | null;
  /** The provider that answered (migration 0004); null before it, and for manual choices. */
  provider: string | null;
  provider_outcomes: ColumnType<JsonText | null, JsonText | null | undefined, JsonText | null>;
  /** Providers that did not find the code, `,spapi,keepa,` (migration 0010). */
  not_found_by: ColumnType<string | null, string | null | undefined, string | null>;
  fetched_at: Timestamp;
}

export interface MatchingRulesTable {
  id: Id;
  owner: string;
  gtin: string;
  asin: string;
  rule: string;
  marketplace: string;
  note: string | null;
  created_at: Timestamp;
}

export interface ProviderSettingsTable {
  provider: string;
  key: string;
  value: string;
  is_secret: number;
  updated_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  owner: string;
  scopes: JsonText;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** One credential's shared limiter (see `rate-limit-store.ts`); times in epoch ms. */
export interface RateLimitsTable {
  key: string;
  /** Theoretical arrival time of the reservations (GCRA): the next free slot without burst. */
  tat_ms: number;
  /** Theoretical arrival time of the actual grants: the next grant, as late grants pushed it. */
  grant_tat_ms: number;
  /** When the last grant was recorded to go. */
  granted_ms: number | null;
  /** The slot given by the last reservation; null when it was refused or none was asked. */
  slot_ms: number | null;
  /** 1 when that slot was granted by the reservation itself (it was now), else 0. */
  slot_granted: number;
  paused_until_ms: number;
  /** UTC day number (epoch ms / 86 400 000) of `day_count`. */
  day: number;
  day_count: number;
  updated_ms: number;
}

/** A browser's sign-in (`POST /api/v1/session`); the id itself is only in the cookie. */
/** Requests, 429s and tokens of one credential in one minute (quota dashboard). */
export interface QuotaUsageTable {
  key: string;
  /** Epoch minute (ms / 60 000). */
  minute: number;
  requests: number;
  throttles: number;
  tokens: number;
}

/** The pace a credential is allowed and its last token status (quota dashboard). */
export interface QuotaStatusTable {
  key: string;
  provider: string;
  /** A name of the credential that is not a secret (credential id, access key, `…abcd`). */
  credential: string | null;
  tps: number;
  tpd: number;
  tokens_left: number | null;
  refill_rate: number | null;
  refill_at_ms: number | null;
  /** The provider's clock when it reported the token status (or ours when it did not say). */
  observed_ms: number | null;
  updated_ms: number;
}

export interface WebSessionsTable {
  id_hash: string;
  token_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

/** One review decision on a result, with the result's state before it (for undo). */
export interface DecisionsTable {
  id: Id;
  job_id: string;
  /** Decisions taken together (a bulk decision) share it and are undone together. */
  batch_id: string;
  result_id: number;
  action: string;
  asin: string | null;
  before: JsonText;
  /** Matching rules this decision created (removed again by undo). */
  rule_ids: JsonText | null;
  decided_by: string;
  created_at: Timestamp;
  undone_at: Timestamp | null;
}

/** One row rewritten to test that the database takes writes again after a fault. */
export interface WriteProbeTable {
  id: number;
  written_at: string;
}

/** A process wanting a share of a credential's rate (migration 0008). */
export interface RateLimitMembersTable {
  key: string;
  member_id: string;
  host: string;
  pid: number;
  heartbeat_ms: number;
}

/** Who holds which share of a credential's rate from when (migration 0008). */
export interface RateLimitSharesTable {
  key: string;
  /** JSON array of member ids, in rank order: the list in force from `since_ms`. */
  members: string;
  since_ms: number;
  /** Time between two slots of the credential (all members together) from `since_ms`. */
  interval_ms: number;
  /** The list in force before `since_ms`. */
  previous: string;
  previous_since_ms: number;
  previous_interval_ms: number;
  paused_until_ms: number;
  day: number;
  day_count: number;
}

/** A live worker process (migration 0008): `code2asin workers`. */
export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  started_ms: number;
  heartbeat_ms: number;
  expires_ms: number;
  claimed_units: number;
  concurrency: number;
}

/** A provider that refused a job's requests for good (migration 0011). */
export interface RefusedProvidersTable {
  job_id: string;
  provider: string;
  error_class: string;
  message: string;
  created_at: Timestamp;
}

/** A job's units by what its tiles tell apart (migration 0016: kept by triggers, never written by code). */
export interface JobTilesTable {
  job_id: string;
  status: string;
  match_type: string;
  with_asin: number;
  with_images: number;
  with_price: number;
  n: number | string;
  confidence_sum: number;
  confidence_n: number | string;
}

/** A job's resolved units by outcome and whole second of `updated_at` (migration 0016). */
export interface JobProgressTable {
  job_id: string;
  status: string;
  at_second: number | string;
  n: number | string;
}

export interface DB {
  code2asin_jobs: JobsTable;
  code2asin_rows: RowsTable;
  code2asin_results: ResultsTable;
  code2asin_logs: LogsTable;
  amazon_mappings: MappingsTable;
  matching_rules: MatchingRulesTable;
  provider_settings: ProviderSettingsTable;
  api_tokens: ApiTokensTable;
  rate_limits: RateLimitsTable;
  quota_usage: QuotaUsageTable;
  quota_status: QuotaStatusTable;
  web_sessions: WebSessionsTable;
  code2asin_decisions: DecisionsTable;
  service_write_probe: WriteProbeTable;
  rate_limit_members: RateLimitMembersTable;
  rate_limit_shares: RateLimitSharesTable;
  code2asin_workers: WorkersTable;
  code2asin_refused_providers: RefusedProvidersTable;
  code2asin_job_tiles: JobTilesTable;
  code2asin_job_progress: JobProgressTable;
}
