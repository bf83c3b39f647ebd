// The tables of the jobs database, created on first open (the version is kept in `meta`). Times
// are epoch milliseconds; JSON is stored as text. One active job per stack is the database's
// own rule (a unique index over the stacks of running and awaiting jobs), so no interleaving of
// runners, processes or machines can start two.
import type { Db } from './db.ts';

const VERSION = 1;

const TABLES = (serial: string, big: string) => [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS jobs (
    seq ${serial},
    id TEXT NOT NULL UNIQUE,
    stack TEXT NOT NULL,
    operation TEXT NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at ${big} NOT NULL,
    updated_at ${big} NOT NULL,
    started_at ${big},
    finished_at ${big},
    runner TEXT,
    heartbeat_at ${big},
    attempt INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    applied INTEGER NOT NULL DEFAULT 0,
    decision TEXT,
    plan TEXT,
    outputs TEXT,
    error TEXT,
    operations TEXT NOT NULL,
    transitions TEXT NOT NULL
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_active_per_stack ON jobs (stack) WHERE status IN ('running', 'awaiting_approval')`,
  `CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (status, seq)`,
  `CREATE INDEX IF NOT EXISTS jobs_stack ON jobs (stack, seq)`,
  `CREATE TABLE IF NOT EXISTS job_logs (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at ${big} NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
  )`,
  `CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_at ${big} NOT NULL,
    expires_at ${big},
    revoked INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE IF NOT EXISTS credentials (
    name TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    sealed TEXT NOT NULL,
    updated_at ${big} NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS policies (
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    policy TEXT NOT NULL,
    PRIMARY KEY (scope, name)
  )`,
  `CREATE TABLE IF NOT EXISTS stack_settings (
    stack TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    environment TEXT NOT NULL,
    credentials TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS server_audit (
    seq ${serial},
    at ${big} NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at ${big} NOT NULL
  )`,
];

export async function migrate(db: Db): Promise<void> {
  const [serial, big] = db.kind === 'postgres' ? ['BIGSERIAL PRIMARY KEY', 'BIGINT'] : ['INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER'];
  await db.tx(async (tx) => {
    if (db.kind === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(7411)`); // two servers starting at once
    for (const sql of TABLES(serial, big)) await tx.run(sql);
    const [row] = await tx.all<{ value: string }>(`SELECT value FROM meta WHERE key = 'version'`);
    if (row && Number(row.value) > VERSION) throw new Error(`the jobs database is of version ${row.value}; this sloth-kubernetes knows version ${VERSION} — upgrade it`);
    if (!row) await tx.run(`INSERT INTO meta (key, value) VALUES ('version', ?)`, [String(VERSION)]);
  });
}
