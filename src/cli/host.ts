// The CLI's side of the ops port: events become terminal output (the plan as a tree or JSON,
// the engine's events through the live, plain or JSON renderer, warnings and notices on
// stderr), confirmations are answered by --yes / --allow-destroy or asked on the terminal, and
// Ctrl-C during an engine run stops it (once: gracefully; twice: abort). `withCli` runs a use
// case with it, in a context made of this invocation's environment, actor and passphrase.
// SIGTERM (a CI job cancelled, `kill`, a container stopped) is handled exactly like Ctrl-C.
import type { ConfirmRequest, OpsContext, OpsEvent, OpsHost } from '../ops/host.ts';
import { actorOf } from './audit/actor.ts';
import { CliError } from './errors.ts';
import { interactive } from './io.ts';
import type { CliIO } from './io.ts';
import { confirm } from './prompt.ts';
import { createRenderer, planJson, planText, renderMode } from './render/index.ts';
import type { Renderer } from './render/index.ts';
import { homeOf, passphraseSource } from './stack-context.ts';
import { nodeEventLine } from './render/node-events.ts';

/** The flags that decide how a command's events are shown and its questions answered. */
export interface HostFlags {
  json?: boolean;
  /** Property-level detail in the plan. */
  diff?: boolean;
  /** Info-level diagnostics (provider and remote-step log lines) and every retry. */
  verbose?: boolean;
  /** Yes to applying a plan, to a destroy, to pruning the audit log, to deleting a stack. */
  yes?: boolean;
  /** Yes to a rollback that destroys or replaces data-bearing resources. */
  allowDestroy?: boolean;
  /** The passphrase is standard input: there is no terminal to ask on. */
  passwordStdin?: boolean;
}

/** The signals that stop a run: Ctrl-C, and SIGTERM the same way. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** Where Ctrl-C and SIGTERM come from: the process, or a stand-in in tests. */
export interface InterruptSource {
  on(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
}

class CliHost implements OpsHost {
  readonly #io: CliIO;
  readonly #flags: HostFlags;
  readonly #interrupts: InterruptSource;
  readonly stop = new AbortController();
  readonly abort = new AbortController();
  #renderer: Renderer | undefined;
  #listening = false;

  constructor(io: CliIO, flags: HostFlags, interrupts: InterruptSource = process) {
    this.#io = io;
    this.#flags = flags;
    this.#interrupts = interrupts;
  }

  readonly #onSignal = (): void => {
    if (!this.stop.signal.aborted) this.stop.abort();
    else this.abort.abort();
  };

  notify(e: OpsEvent): void {
    const io = this.#io;
    switch (e.type) {
      case 'plan':
        // A preview prints one JSON document; an apply streams JSON lines, the plan first.
        if (this.#flags.json) io.stdout.write(e.apply ? `${JSON.stringify({ type: 'plan', ...planJson(e.plan) })}\n` : `${JSON.stringify(planJson(e.plan), null, 2)}\n`);
        else io.stdout.write(planText(e.plan, { diff: this.#flags.diff }));
        return;
      case 'run':
        this.#renderer = createRenderer(io, renderMode(io, this.#flags.json), { verbose: this.#flags.verbose });
        for (const signal of STOP_SIGNALS) this.#interrupts.on(signal, this.#onSignal);
        this.#listening = true;
        return;
      case 'warning':
        io.stderr.write(`warning: ${e.message}\n`);
        return;
      case 'notice':
        io.stderr.write(`${e.message}\n`);
        return;
      case 'node':
        io.stderr.write(`${nodeEventLine(e.event)}\n`);
        return;
      default:
        this.#renderer?.onEvent(e);
    }
  }

  async confirm(request: ConfirmRequest): Promise<boolean> {
    const io = this.#io;
    const canAsk = interactive(io) && !this.#flags.passwordStdin;
    switch (request.kind) {
      case 'apply':
      case 'destroy': {
        if (this.#flags.yes) return true;
        const what = request.kind === 'apply' ? 'deploy' : 'destroy';
        if (!canAsk) {
          throw new CliError(`refusing to ${what} without confirmation: there is no terminal to ask on`, {
            hint: `Review the plan above, then run again with --yes${what === 'deploy' ? ' (or --auto-approve)' : ''}.`,
          });
        }
        io.stderr.write('\n');
        return confirm(io, request.question);
      }
      case 'data-loss': {
        const n = request.resources.length;
        io.stderr.write(`\nThe rollback to ${request.target} would destroy or replace ${n} resource${n === 1 ? '' : 's'} that hold data:\n`);
        for (const r of request.resources) io.stderr.write(`  ${r.urn} — ${r.op}; ${r.why}\n`);
        if (this.#flags.allowDestroy) return true;
        if (!canAsk) {
          throw new CliError(`refusing to roll back: it would destroy or replace ${n} data-bearing resource${n === 1 ? '' : 's'}`, {
            hint: 'Review the list above; pass --allow-destroy to go ahead (or run on a terminal to be asked).',
          });
        }
        io.stderr.write('\n');
        return confirm(io, request.question);
      }
      case 'audit-prune':
      case 'stack-delete':
        if (this.#flags.yes) return true;
        if (!canAsk) throw new CliError(`${request.kind === 'audit-prune' ? 'pruning the audit log of' : 'deleting'} stack '${request.stack}' needs confirmation; pass --yes`);
        return confirm(io, request.question);
    }
  }

  /** Stops the renderer and lets Ctrl-C and SIGTERM go back to ending the process. */
  close(): void {
    this.#renderer?.close();
    this.#renderer = undefined;
    if (this.#listening) for (const signal of STOP_SIGNALS) this.#interrupts.off(signal, this.#onSignal);
    this.#listening = false;
  }
}

/** Runs a use case with the CLI as its host; the renderer and the signal handlers end with it. */
export async function withCli<T>(io: CliIO, flags: HostFlags, run: (ctx: OpsContext) => Promise<T>, interrupts?: InterruptSource): Promise<T> {
  const host = new CliHost(io, flags, interrupts);
  try {
    return await run({
      host,
      env: io.env,
      cwd: io.cwd,
      homedir: homeOf(io),
      actor: actorOf(io),
      passphrase: (store) => passphraseSource(io, store, flags),
      signal: host.stop.signal,
      abortSignal: host.abort.signal,
    });
  } finally {
    host.close();
  }
}
