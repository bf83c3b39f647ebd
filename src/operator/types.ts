// The Stack resource as the operator reads and writes it (crd.ts holds its schema).
import type { V1ObjectMeta } from '@kubernetes/client-node';

export interface KeyRef {
  name: string;
  key: string;
}

export type EnvRef =
  | { type: 'Secret'; secret: KeyRef }
  | { type: 'ConfigMap'; configMap: KeyRef }
  | { type: 'Literal'; literal: { value: string } };

export interface GitAuth {
  sshPrivateKey?: KeyRef;
  accessToken?: KeyRef;
  basicAuth?: { userName: KeyRef; password: KeyRef };
}

export interface Prerequisite {
  name: string;
  requirement?: { succeededWithinDuration?: string };
}

export interface StackSpec {
  stack: string;
  backend?: string;
  secretsProvider?: string;
  projectRepo?: string;
  repoDir?: string;
  configFile?: string;
  commit?: string;
  branch?: string;
  gitAuth?: GitAuth;
  config?: string;
  configMapRef?: KeyRef;
  envRefs?: Record<string, EnvRef>;
  bootstrap?: boolean;
  operatorCidrs?: string[];
  refresh?: boolean;
  destroyOnFinalize?: boolean;
  resyncFrequencySeconds?: number;
  continueResyncOnCommitMatch?: boolean;
  retryOnUpdateConflict?: boolean;
  maxBackoffSeconds?: number;
  prerequisites?: Prerequisite[];
  approval?: { required?: boolean };
  driftDetection?: { intervalSeconds: number; remediate?: boolean };
}

export type ConditionType = 'Ready' | 'Reconciling' | 'Stalled' | 'Drifted';

export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type Operation = 'update' | 'destroy' | 'refresh' | 'preview';

export interface UpdateRecord {
  id: string;
  operation: Operation;
  commit?: string;
  result?: 'succeeded' | 'failed';
  reason?: string;
  message?: string;
  generation?: number;
  revision?: string;
  changes?: Record<string, number>;
  failures?: number;
  holder?: string;
  /** The process that took the stack lock: "HOST pid N". */
  process?: string;
  startTime?: string;
  endTime?: string;
}

export interface StackStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  currentUpdate?: UpdateRecord;
  lastUpdate?: UpdateRecord;
  lastSuccessfulCommit?: string;
  outputs?: Record<string, string>;
  pendingApproval?: { digest: string; commit?: string; summary: string; changes: Record<string, number>; since: string };
  drift?: { checkTime: string; drifted?: number; gone?: number; resources?: string[]; message?: string };
  nextRetryTime?: string;
}

export interface StackResource {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: StackSpec;
  status?: StackStatus;
}

/** namespace/name */
export const keyOf = (s: { metadata?: V1ObjectMeta }): string => `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
