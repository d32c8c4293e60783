import type { Migration } from 'kysely';
import type { DialectAdapter } from '../dialect.js';
import { initialMigration } from './0001-initial.js';
import { sharedRateLimitsMigration } from './0002-shared-rate-limits.js';
import { leanBulkTablesMigration } from './0003-lean-bulk-tables.js';
import { reviewProposalsMigration } from './0004-review-proposals.js';
import { answeringProviderMigration } from './0005-answering-provider.js';
import { webUiMigration } from './0006-web-ui.js';
import { jobProviderMigration } from './0007-job-provider.js';
import { rateSharesMigration } from './0008-rate-shares.js';
import { quotaUsageMigration } from './0009-quota-usage.js';
import { providerChainMigration } from './0010-provider-chain.js';
import { refusedProvidersMigration } from './0011-refused-providers.js';
import { writeProbeMigration } from './0013-write-probe.js';
import { reviewListingIndexMigration } from './0014-review-listing-index.js';
import { reviewCountColumnsMigration } from './0015-review-count-columns.js';
import { jobCountsMigration } from './0016-job-counts.js';

/**
 * Numbered migrations, in order. Each runs in a transaction; a new one is appended, never
 * edited once released.
 */
export function createMigrations(d: DialectAdapter): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(d),
    '0002-shared-rate-limits': sharedRateLimitsMigration(d),
    '0003-lean-bulk-tables': leanBulkTablesMigration(d),
    '0004-review-proposals': reviewProposalsMigration(),
    '0005-answering-provider': answeringProviderMigration(),
    '0006-web-ui': webUiMigration(d),
    '0007-job-provider': jobProviderMigration(),
    '0008-rate-shares': rateSharesMigration(d),
    '0009-quota-usage': quotaUsageMigration(d),
    '0010-provider-chain': providerChainMigration(d),
    '0011-refused-providers': refusedProvidersMigration(d),
    '0013-write-probe': writeProbeMigration(),
    '0014-review-listing-index': reviewListingIndexMigration(),
    '0015-review-count-columns': reviewCountColumnsMigration(d),
    '0016-job-counts': jobCountsMigration(d),
  };
}
