// Everything the jobs layer works with, opened once per server (or runner) process: the
// database, the server's key, and the stores over them; the environment every job runs with.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialStore, ServerKey } from './credentials.ts';
import { openDatabase } from './db.ts';
import type { Db } from './db.ts';
import { migrate } from './schema.ts';
import { Settings } from './settings.ts';
import type { GitOptions } from './source.ts';
import { JobStore } from './store.ts';
import { TokenStore } from './tokens.ts';

export interface JobsOptions {
  /** The server's data directory: the SQLite database, the key, the job workspaces. */
  dataDir: string;
  /** postgres://… (several runners or machines), sqlite:PATH; default SQLite in dataDir. */
  databaseUrl?: string;
  /** The server key file (default dataDir/server.key, created 0600 on first start). */
  keyFile?: string;
  /**
   * The environment every job runs with, besides its credentials: the backend
   * (PULUMI_BACKEND_URL and what it needs), SLOTH_OPERATOR_CIDRS.
   */
  baseEnv: Record<string, string | undefined>;
  /** What restricted-mode evaluation of a job's config may look up (`env:AWS_REGION`, `read-file`). */
  allow?: string[];
  git?: GitOptions;
}

export interface Jobs {
  db: Db;
  jobs: JobStore;
  tokens: TokenStore;
  credentials: CredentialStore;
  settings: Settings;
  key: ServerKey;
  dataDir: string;
  baseEnv: Record<string, string | undefined>;
  allow: string[];
  git: GitOptions;
  close(): Promise<void>;
}

export async function openJobs(options: JobsOptions): Promise<Jobs> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = ServerKey.load(options.keyFile ?? join(options.dataDir, 'server.key'));
  const db = await openDatabase(options.databaseUrl, options.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    db,
    jobs: new JobStore(db),
    tokens: new TokenStore(db),
    credentials: new CredentialStore(db, key),
    settings: new Settings(db, key),
    key,
    dataDir: options.dataDir,
    baseEnv: options.baseEnv,
    allow: options.allow ?? [],
    git: options.git ?? {},
    close: () => db.close(),
  };
}
