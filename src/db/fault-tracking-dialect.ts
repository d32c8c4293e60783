import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import type { DatabaseFaultMonitor } from './fault-monitor.js';

/**
 * A dialect whose every statement reports to the fault monitor: a failure that is a database
 * fault starts one, a later success clears it. Reads are statements that begin with `select`
 * (or `pragma`); everything else, `commit` included, is a write.
 */
export function withFaultTracking(dialect: Dialect, monitor: DatabaseFaultMonitor): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new FaultTrackingDriver(dialect.createDriver(), monitor),
  };
}

const READ = /^\s*(select|pragma)\b/i;

class FaultTrackingDriver implements Driver {
  private readonly wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly monitor: DatabaseFaultMonitor,
  ) {}

  init(): Promise<void> {
    return this.driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let connection: DatabaseConnection;
    try {
      connection = await this.driver.acquireConnection();
    } catch (error) {
      this.monitor.failed(error);
      throw error;
    }
    let tracked = this.wrapped.get(connection);
    if (!tracked) {
      tracked = trackConnection(connection, this.monitor);
      this.wrapped.set(connection, tracked);
    }
    return tracked;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.driver.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // The driver's own connection: pg's driver marks it for discard when the rollback fails
    // (the pool then drops that client), through a method only its connection has.
    return this.driver.rollbackTransaction(this.inner(connection));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(this.inner(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }

  /** The driver's own connection (its release and discard need it). */
  private inner(connection: DatabaseConnection): DatabaseConnection {
    return (connection as TrackedConnection).inner ?? connection;
  }
}

interface TrackedConnection extends DatabaseConnection {
  inner: DatabaseConnection;
}

function trackConnection(
  connection: DatabaseConnection,
  monitor: DatabaseFaultMonitor,
): TrackedConnection {
  return {
    inner: connection,
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      try {
        const result = await connection.executeQuery<R>(query);
        monitor.succeeded(READ.test(query.sql) ? 'read' : 'write');
        return result;
      } catch (error) {
        monitor.failed(error);
        throw error;
      }
    },
    streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
      return connection.streamQuery<R>(query, chunkSize);
    },
  };
}
