// A stack job (seed 003, "StackJob"): one operation on one stack, with everything needed to
// run it captured when it is created — the config version (its hash and where it came from),
// the resolved flow-control policy with where each setting came from, the credentials by
// reference (names, never values) and the list of operations it will run.

export const OPERATIONS = ['preview', 'deploy', 'refresh', 'destroy', 'rollback'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const JOB_STATUSES = ['queued', 'running', 'awaiting_approval', 'succeeded', 'failed', 'cancelled', 'rejected'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'rejected'];
export const isFinal = (s: JobStatus): boolean => FINAL_STATUSES.includes(s);

/** The steps a job runs, in order (seed 003: init, refresh, plan, apply). */
export type Step = 'init' | 'refresh' | 'preview' | 'apply' | 'destroy';

export type ConfigSource =
  /** A Lisp file sent with the request. */
  | { kind: 'upload'; name: string }
  /** A file in a git repository at a branch, tag or commit (cloned shallow with git). */
  | { kind: 'git'; url: string; ref: string; path: string; /** The commit `ref` named when the job was created. */ commit?: string };

export const POLICY_KEYS = ['previewBeforeUpdate', 'pauseBetweenPreviewAndUpdate', 'skipRefresh'] as const;
export type PolicyKey = (typeof POLICY_KEYS)[number];
export type FlowPolicy = Record<PolicyKey, boolean>;
/** Where a policy is set, least specific first. */
export const POLICY_SCOPES = ['platform', 'organization', 'environment', 'stack'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];
export type ResolvedPolicy = Record<PolicyKey, { value: boolean; from: PolicyScope | 'default'; scopeName?: string }>;

export interface CredentialRef {
  name: string;
  provider: string;
  /** When the stored value last changed: a job runs with the value of its creation or fails. */
  version: number;
}

/** What a job runs, fixed at creation. */
export interface JobSpec {
  stack: string;
  operation: Operation;
  organization: string;
  environment: string;
  message?: string;
  trigger: { actor: string; event: 'api' | 'retry' };
  /** Absent for refresh and destroy, which work on the stack alone. */
  source?: ConfigSource;
  /** sha256 of the config text (hex). */
  configHash?: string;
  /** The config text, sealed with the server's key (it may hold credentials). */
  sealedConfig?: string;
  /** false: machines, networks and DNS only, without Kubernetes (deploy --no-bootstrap). */
  bootstrap?: boolean;
  operatorCidrs?: string[];
  /** rollback: the deployment or snapshot to go back to. */
  rollbackTo?: string;
  policy: ResolvedPolicy;
  credentials: CredentialRef[];
  steps: Step[];
  /** The job this one re-runs. */
  retryOf?: string;
}

export interface Transition {
  status: JobStatus;
  at: number;
  by?: string;
  note?: string;
}

export interface StepState {
  step: Step;
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  startedAt?: number;
  finishedAt?: number;
}

export interface Decision {
  approved: boolean;
  by: string;
  at: number;
  comment?: string;
}

export interface Job {
  id: string;
  seq: number;
  stack: string;
  operation: Operation;
  status: JobStatus;
  spec: JobSpec;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  runner?: string;
  heartbeatAt?: number;
  attempt: number;
  cancelRequested: boolean;
  /** Something in the cloud may have changed (an apply or destroy step started). */
  applied: boolean;
  decision?: Decision;
  /** The plan shown for approval (redacted JSON, engine/plan-json.ts). */
  plan?: Record<string, unknown>;
  /** Stack outputs after success (secrets as "[secret]"). */
  outputs?: Record<string, unknown>;
  error?: string;
  steps: StepState[];
  transitions: Transition[];
}

/** A line of a job's durable log: an engine event, a step change or a message. */
export interface LogEntry {
  seq: number;
  at: number;
  kind: 'event' | 'step' | 'status' | 'message' | 'error';
  data: Record<string, unknown>;
}

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
