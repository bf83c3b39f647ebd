// What the jobs layer refuses, and why: the HTTP API turns `reason` into a status code, the
// CLI into an exit code. Messages name what, where and what to do, and never hold a secret.

export type JobsErrorReason =
  /** The request cannot be used as it is (400). */
  | 'invalid'
  /** Pre-flight found problems; every one is in `problems` (422). */
  | 'preflight'
  /** No such job, stack, token or credential (404). */
  | 'not-found'
  /** The job is not in a state that allows this (409). */
  | 'conflict'
  /** No or a bad token (401). */
  | 'unauthenticated'
  /** The token's role does not allow this (403). */
  | 'forbidden';

export class JobsError extends Error {
  readonly reason: JobsErrorReason;
  readonly hint?: string;
  readonly problems: string[];
  constructor(reason: JobsErrorReason, message: string, hint?: string, problems: string[] = []) {
    super(message);
    this.name = 'JobsError';
    this.reason = reason;
    this.hint = hint;
    this.problems = problems;
  }
}
