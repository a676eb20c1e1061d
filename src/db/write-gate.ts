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
 * A transaction takes the gate first, then the connection, from BEGIN to its end; a write outside a
 * transaction takes both for its one statement. BEGIN IMMEDIATE takes SQLite's write lock at once: a
 * deferred transaction that read first could no longer write once another connection committed in
 * between (SQLITE_BUSY_SNAPSHOT).
 */
class GatedSqliteDriver implements Driver {
  /** The main connection's own transactions, one at a time. */
  readonly #connection = new WriteGate();

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly gate: WriteGate,
  ) {
    this.#statements = new PreparedStatements(sqlite);
  }

  async init(): Promise<void> {}

  readonly #statements: PreparedStatements;

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GatedConnection(this.#statements, this.gate, this.#connection);
  }

  async beginTransaction(connection: GatedConnection): Promise<void> {
    await this.gate.acquire();
    await this.#connection.acquire();
    try {
      this.sqlite.exec('begin immediate');
    } catch (err) {
      this.#end();
      throw err;
    }
    connection.inTransaction = true;
  }

  // A failed COMMIT leaves the transaction open: Kysely rolls it back next, and that ends it.
  async commitTransaction(connection: GatedConnection): Promise<void> {
    this.sqlite.exec('commit');
    connection.inTransaction = false;
    this.#end();
  }

  async rollbackTransaction(connection: GatedConnection): Promise<void> {
    connection.inTransaction = false;
    try {
      if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
    } finally {
      this.#end();
    }
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.sqlite.close();
  }

  #end(): void {
    this.#connection.release();
    this.gate.release();
  }
}

class GatedConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    private readonly statements: PreparedStatements,
    private readonly gate: WriteGate,
    private readonly connection: WriteGate,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.statements.get(query.sql);
    if (this.inTransaction || (statement.readonly && !this.connection.held)) return Promise.resolve(run<R>(statement, query));
    return this.#waitThenRun<R>(statement, query);
  }

  async #waitThenRun<R>(statement: SQLite.Statement, query: CompiledQuery): Promise<QueryResult<R>> {
    const writes = !statement.readonly;
    if (writes) await this.gate.acquire();
    await this.connection.acquire();
    try {
      return run<R>(statement, query);
    } finally {
      this.connection.release();
      if (writes) this.gate.release();
    }
  }

  // eslint-disable-next-line require-yield -- no query of the platform streams from SQLite
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on SQLite');
  }
}

/**
 * The statements prepared on the connection, by their text: the platform's queries are a few hundred
 * texts, run again and again (a session read on every turn of the event loop), and preparing one
 * costs more than running it. Bounded, in case some text were built from data.
 */
class PreparedStatements {
  static readonly LIMIT = 1000;
  #byText = new Map<string, SQLite.Statement>();

  constructor(private readonly sqlite: SQLite.Database) {}

  get(text: string): SQLite.Statement {
    let statement = this.#byText.get(text);
    if (!statement) {
      if (this.#byText.size >= PreparedStatements.LIMIT) this.#byText = new Map();
      this.#byText.set(text, (statement = this.sqlite.prepare(text)));
    }
    return statement;
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
