// The errors a use case throws. Each says what went wrong and what to do (`hint`); `reason`
// says what kind of failure it is, so that every caller can act on it in its own terms: the
// CLI turns it into an exit code, the jobs server into a job state, the operator into a
// status condition. Errors of the layers below (config, state, engine, history, audit) pass
// through unchanged. Messages never hold a secret.

export type OpsErrorReason =
  /** The input cannot be used: a bad value, an unreadable file, a stack not named among several. */
  | 'invalid'
  /** The backend holds no stack at all. */
  | 'no-stack'
  /** A rule refuses the operation (an untrusted snapshot, a log that fails verification); nothing was changed. */
  | 'refused'
  /** The caller answered no to a confirmation; nothing was changed. */
  | 'declined'
  /** Something outside that the operation needs could not be reached (this machine's public address). */
  | 'unavailable'
  /** The operation ran and failed; its events said how (the summary). */
  | 'failed'
  /** Stopped through the caller's signal; what finished is saved, the next run continues. */
  | 'cancelled'
  /** A refresh expected no changes and found drift; nothing read was stored. */
  | 'drifted'
  /** Applied and saved, but recording the run in the stack's history failed. */
  | 'unrecorded'
  /** The live cluster could not be read to compare with (manifests diff --live). */
  | 'not-compared'
  /** The audit log failed verification. */
  | 'unverified'
  /** The operation did not finish within its time limit; what it did stands (a drain leaves the node cordoned). */
  | 'timed-out';

/** Reasons whose story the event stream (or the returned report) has already told in full. */
const REPORTED: ReadonlySet<OpsErrorReason> = new Set(['failed', 'cancelled', 'drifted', 'unverified']);

export class OpsError extends Error {
  readonly reason: OpsErrorReason;
  readonly hint?: string;
  constructor(reason: OpsErrorReason, message: string, hint?: string) {
    super(message);
    this.name = 'OpsError';
    this.reason = reason;
    this.hint = hint;
  }

  /** The events already said everything: a caller need not repeat the message. */
  get reported(): boolean {
    return REPORTED.has(this.reason);
  }
}
