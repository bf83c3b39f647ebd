// Stack jobs (seed 003): the queue, pre-flight, flow control and the runner. The server
// (src/server) and the CLI's `server` command are its callers.
export { openJobs } from './context.ts';
export type { Jobs, JobsOptions } from './context.ts';
export { JobsError } from './errors.ts';
export type { JobsErrorReason } from './errors.ts';
export { JobService } from './service.ts';
export type { JobRequest } from './preflight.ts';
export { Runner, DEFAULT_TIMINGS } from './runner.ts';
export type { RunnerTimings } from './runner.ts';
export { resolvePolicy } from './policy.ts';
export { allows } from './tokens.ts';
export type { Actor, TokenInfo } from './tokens.ts';
export { CREDENTIAL_VARIABLES } from './credentials.ts';
export { signature } from './webhooks.ts';
export { redactUrl } from './db.ts';
export * from './types.ts';
