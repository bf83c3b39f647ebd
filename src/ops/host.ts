// The port between a use case and whoever runs it, in the manner of the AWS CDK toolkit's
// IoHost: `notify` for every event, `confirm` when a yes is needed. The CLI implements it with
// its renderers and a prompt (or --yes); the jobs server with a durable log and its approval
// gate; the operator with status conditions and an approval annotation. Nothing here assumes
// a terminal: confirmation is asynchronous, cancellation comes as AbortSignals.
import type { DangerousStep } from '../history/recorders.ts';
import type { EngineEvent, OperationKind, Plan } from '../engine/index.ts';
import type { PassphraseSource, StateStore } from '../state/index.ts';
import type { DrainEvent } from '../kube/drain.ts';

export type OpsEvent =
  /** The engine's own events (steps, retries, diagnostics, progress, drift, outputs, summary). */
  | EngineEvent
  /** The preview. `apply`: the use case goes on to apply it (after confirmation). */
  | { type: 'plan'; plan: Plan; apply: boolean }
  /** The engine operation begins: from here the stop and abort signals are honoured step by step. */
  | { type: 'run'; kind: OperationKind; stack: string }
  /** Something the caller should know that does not stop the use case. */
  | { type: 'warning'; message: string }
  /** What the use case is about to do ("Rolling back stack … to …"). */
  | { type: 'notice'; message: string }
  /** A node's cordon, uncordon or drain, step by step (pods evicted, refused by a budget, gone). */
  | { type: 'node'; event: DrainEvent };

interface Question {
  stack: string;
  /** The question as a person would be asked it. */
  question: string;
}

export type ConfirmRequest =
  /** Apply this plan (deploy, rollback). */
  | (Question & { kind: 'apply'; plan: Plan })
  /** Delete what this plan lists (destroy). */
  | (Question & { kind: 'destroy'; plan: Plan })
  /** A rollback would destroy or replace machines or other data-bearing resources. */
  | (Question & { kind: 'data-loss'; target: string; resources: readonly DangerousStep[] })
  /** Delete the audit events recorded before `before`. */
  | (Question & { kind: 'audit-prune'; before: Date })
  /** Delete a stack's state (its cloud resources are not destroyed). */
  | (Question & { kind: 'stack-delete' });

export interface OpsHost {
  /** Every event, in order. Called synchronously from the run: it must not throw or block (queue what must be persisted). */
  notify(event: OpsEvent): void;
  /** Resolves true to go ahead, false to decline (nothing is changed); rejecting stops the use case with that error. */
  confirm(request: ConfirmRequest): Promise<boolean>;
}

/** What every use case runs with: its caller's port, environment and identity. */
export interface OpsContext {
  host: OpsHost;
  /** The caller's environment: backend settings, passphrase, cloud credentials. Ops never reads process.env. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths (config, manifests, key files, outputs) are resolved. */
  cwd: string;
  homedir: string;
  /** Who is acting, for the audit log and the change log. */
  actor: string;
  /** How a stack of `store` is unlocked (default: PULUMI_CONFIG_PASSPHRASE, then PULUMI_CONFIG_PASSPHRASE_FILE). */
  passphrase?: (store: StateStore) => PassphraseSource;
  /** Aborted: no new step starts; running ones finish and are saved. */
  signal?: AbortSignal;
  /** Aborted: running steps are aborted too; what is known is saved. */
  abortSignal?: AbortSignal;
}
