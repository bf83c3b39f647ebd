// The storage under a backend: keys ('/'-separated, relative to the backend root) mapped to
// bytes. Every backend (file://, s3://) implements exactly this, so the stack store above
// never knows where its bytes live.

export interface BlobInfo {
  key: string;
  modified: Date;
  size: number;
}

export interface BlobStore {
  /** The backend URL as shown to users (no credentials). */
  readonly url: string;
  /** Bytes written through this store since it was opened (benchmarks and tests). */
  readonly stats: { bytesWritten: number; writes: number };
  /** The object, or undefined when it does not exist. */
  get(key: string): Promise<Buffer | undefined>;
  /** Replaces the object atomically: a reader sees the old bytes or the new, never a mix. */
  put(key: string, data: Buffer | string): Promise<void>;
  /**
   * Creates the object only if no object has the key (exclusive create / conditional PUT).
   * Returns false when it already exists.
   */
  create(key: string, data: Buffer | string): Promise<boolean>;
  /** Deletes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Deletes the objects, many at a time (in no particular order); missing ones are not an
   * error. For what is cleared at once: an update's journal, a history, a lock directory.
   */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<BlobInfo[]>;
  copy(from: string, to: string): Promise<void>;
  /** Whether `create` is atomic on this store (false: the S3 server ignores If-None-Match). */
  exclusiveCreateIsAtomic(): Promise<boolean>;
  close(): void;
}
