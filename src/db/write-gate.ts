import type SQLite from 'better-sqlite3';
import { SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

/**
 * One writer at a time among this process's connections to the SQLite file: the main connection's
 * transactions and writes, and the answer writer's batches, which commit in a thread of their own.
 * Waiting here costs the event loop nothing, where SQLite's own lock would put the whole process to
 * sleep (its busy handler sleeps a millisecond at least) for as long as the other connection holds it.
 * A waiter is handed the gate in the order it asked.
 */
export class WriteGate {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  get held(): boolean {
    return this.#held;
  }

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

/**
 * Kysely's driver for the main connection, in place of its own SQLite driver, whose single lock makes
 * every query wait while a write waits: here reads never wait for the gate (WAL), only for a
 * transaction open on this connection, so that none runs inside another's transaction.
 * A transaction takes the gate first, then the connection's transaction lock, from BEGIN to its end; a write outside a
 * transaction takes both for its one statement. BEGIN IMMEDIATE takes SQLite's write lock at once: a
 * deferred transaction that read first could no longer write once another connection committed in
 * between (SQLITE_BUSY_SNAPSHOT).
 */
class GatedSqliteDriver implements Driver {
  /** The main connection's own transactions, one at a time. */
  readonly #transactionLock = new WriteGate();
  // Prepared, not exec'd: the benchmark's timing of the event loop's SQLite time sees them.
  readonly #begin: SQLite.Statement;
  readonly #commit: SQLite.Statement;
  readonly #rollback: SQLite.Statement;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly gate: WriteGate,
  ) {
    this.#begin = sqlite.prepare('begin immediate');
    this.#commit = sqlite.prepare('commit');
    this.#rollback = sqlite.prepare('rollback');
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GatedConnection(this.sqlite, this.gate, this.#transactionLock);
  }

  async beginTransaction(connection: GatedConnection): Promise<void> {
    await this.gate.acquire();
    await this.#transactionLock.acquire();
    try {
      this.#begin.run();
    } catch (err) {
      this.#end();
      throw err;
    }
    connection.inTransaction = true;
  }

  // A failed COMMIT leaves the transaction open: Kysely rolls it back next, and that ends it.
  async commitTransaction(connection: GatedConnection): Promise<void> {
    this.#commit.run();
    connection.inTransaction = false;
    this.#end();
  }

  async rollbackTransaction(connection: GatedConnection): Promise<void> {
    connection.inTransaction = false;
    try {
      if (this.sqlite.inTransaction) this.#rollback.run();
    } finally {
      this.#end();
    }
  }

  // Kysely calls these only if they exist, and would otherwise do nothing: say so instead.
  savepoint(): Promise<void> {
    return Promise.reject(new Error('no savepoint on SQLite: the platform does not use them'));
  }

  rollbackToSavepoint(): Promise<void> {
    return this.savepoint();
  }

  releaseSavepoint(): Promise<void> {
    return this.savepoint();
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.sqlite.close();
  }

  #end(): void {
    this.#transactionLock.release();
    this.gate.release();
  }
}

class GatedConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly gate: WriteGate,
    private readonly transactionLock: WriteGate,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.sqlite.prepare(query.sql);
    if (this.inTransaction || (statement.readonly && !this.transactionLock.held)) return Promise.resolve(run<R>(statement, query));
    return this.#waitThenRun<R>(statement, query);
  }

  async #waitThenRun<R>(statement: SQLite.Statement, query: CompiledQuery): Promise<QueryResult<R>> {
    const writes = !statement.readonly;
    if (writes) await this.gate.acquire();
    await this.transactionLock.acquire();
    try {
      return run<R>(statement, query);
    } finally {
      this.transactionLock.release();
      if (writes) this.gate.release();
    }
  }

  // eslint-disable-next-line require-yield -- no query of the platform streams from SQLite
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on SQLite');
  }
}

function run<R>(statement: SQLite.Statement, { parameters }: CompiledQuery): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

export class GatedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly gate: WriteGate,
  ) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new GatedSqliteDriver(this.sqlite, this.gate);
  }
}
