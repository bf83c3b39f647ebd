// The jobs database: SQLite (node:sqlite, one file in the server's data directory: the
// embedded default) or PostgreSQL (`postgres://…`: several runner processes or machines). One
// small interface, SQL written once with `?` placeholders; the few places the dialects differ
// (column types, row locking when claiming a job) ask `kind`.
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export type Row = Record<string, unknown>;

export interface Db {
  readonly kind: 'sqlite' | 'postgres';
  /** Rows of a query (`?` placeholders). */
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `body` in one transaction (SQLite: BEGIN IMMEDIATE, so one writer across processes). */
  tx<T>(body: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Param = string | number | bigint | null | Uint8Array;
const sqliteParam = (v: unknown): Param => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : (v as Param));

/** A unique constraint refused the write (two runners claiming one stack, a name taken). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errcode?: number; message?: string };
  return e?.code === '23505' || e?.errcode === 2067 || e?.errcode === 1555 || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** SQLite in `file` (created 0600), WAL mode so readers never wait for the runner's writes. */
export async function openSqlite(file: string): Promise<Db> {
  const { DatabaseSync } = await import('node:sqlite');
  const fresh = !existsSync(file);
  const db = new DatabaseSync(file);
  if (fresh && file !== ':memory:') chmodSync(file, 0o600);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;');
  // One connection serves every caller of this process: a transaction holds it until it ends.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const direct = {
    kind: 'sqlite' as const,
    all: <T>(sql: string, params: readonly unknown[] = []) => Promise.resolve(db.prepare(sql).all(...params.map(sqliteParam)) as T[]),
    run: (sql: string, params: readonly unknown[] = []) => Promise.resolve(Number(db.prepare(sql).run(...params.map(sqliteParam)).changes)),
  };
  const inner: Db = { ...direct, tx: (body) => body(inner), close: async () => undefined };
  return {
    kind: 'sqlite',
    all: (sql, params) => exclusive(() => direct.all(sql, params)),
    run: (sql, params) => exclusive(() => direct.run(sql, params)),
    tx: (body) =>
      exclusive(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const r = await body(inner);
          db.exec('COMMIT');
          return r;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () => exclusive(() => db.close()),
  };
}

/** `?` → `$1, $2, …` (the statements here hold no `?` inside strings). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export async function openPostgres(url: string): Promise<Db> {
  const pg = (await import('pg')).default;
  // BIGINT columns hold epoch milliseconds: read them as numbers.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined);
  const over = (q: { query: typeof pool.query }): Omit<Db, 'tx' | 'close'> => ({
    kind: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await q.query(numbered(sql), [...params])).rows as T[],
    run: async (sql: string, params: readonly unknown[] = []) => (await q.query(numbered(sql), [...params])).rowCount ?? 0,
  });
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end();
    throw new Error(`cannot reach the database ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  return {
    ...over(pool),
    tx: async (body) => {
      const client = await pool.connect();
      const inner: Db = { ...over(client), tx: (b) => b(inner), close: async () => undefined };
      try {
        await client.query('BEGIN');
        const r = await body(inner);
        await client.query('COMMIT');
        return r;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** A database URL without its password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** `postgres://…` / `postgresql://…`, else SQLite in `dataDir/jobs.db`. */
export function openDatabase(url: string | undefined, dataDir: string): Promise<Db> {
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  if (url && !url.startsWith('sqlite:')) throw new Error(`unsupported database URL '${redactUrl(url)}': use postgres://… or sqlite:PATH (default: ${join(dataDir, 'jobs.db')})`);
  return openSqlite(url ? url.slice('sqlite:'.length) : join(dataDir, 'jobs.db'));
}
