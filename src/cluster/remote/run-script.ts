// Runs one generated script on a machine: uploads it to a private file in the login user's
// home, runs it as root (sudo unless we log in as root) with the secret payload on stdin,
// removes it, and reports stdout. A failure names the machine and the step and ends with
// the last lines the script logged, with every secret of the payload scrubbed from them.
import { scrubSecrets } from '../../state/types.ts';
import { connectSsh, execCommand, SshError, type SshOptions } from './ssh.ts';
import { ssh2 } from '../bootstrap/ssh-keys.ts';

export interface ScriptRun {
  step: string;
  ssh: SshOptions;
  script: string;
  stdin?: string;
  /** Whole run, upload included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Strings that must never appear in an error or a progress line. */
  secrets?: readonly string[];
  onProgress?: (line: string) => void;
}

export class RemoteStepError extends Error {
  override readonly name = 'RemoteStepError';
  readonly step: string;
  readonly machine: string;
  readonly exitCode: number;
  readonly logTail: string;
  constructor(step: string, machine: string, exitCode: number, logTail: string) {
    super(`step '${step}' failed on ${machine} (exit ${exitCode})${logTail ? `; last lines of its log:\n${logTail}` : ''}`);
    this.step = step;
    this.machine = machine;
    this.exitCode = exitCode;
    this.logTail = logTail;
  }
}

/** Scripts exit 75 (EX_TEMPFAIL) for failures worth retrying: a mirror down, a lock held. */
export const EXIT_RETRYABLE = 75;

export function scrub(text: string, secrets: readonly string[] = []): string {
  return scrubSecrets(text, secrets);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function runScript(run: ScriptRun): Promise<string> {
  ssh2(); // the SSH library loads before the step's clock starts
  const deadline = Date.now() + run.timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const machine = run.ssh.target.name;
  const conn = await connectSsh({ ...run.ssh, connectTimeoutMs: Math.min(run.ssh.connectTimeoutMs ?? 20_000, left()) });
  try {
    // A private file of its own (mktemp: mode 0600), so concurrent steps never meet.
    const upload = await execCommand(conn, machine, `f="$(mktemp "$HOME/.sloth-step-${run.step.replace(/[^A-Za-z0-9_.-]/g, '_')}.XXXXXXXX")" && cat > "$f" && printf '%s' "$f"`, {
      stdin: run.script,
      timeoutMs: left(),
      signal: run.signal,
    });
    if (upload.code !== 0) throw new RemoteStepError(run.step, machine, upload.code, scrub(tail(upload.stderr), run.secrets));
    const file = upload.stdout.trim();
    if (!/^\/[A-Za-z0-9_./-]+$/.test(file)) throw new RemoteStepError(run.step, machine, 1, `unexpected temporary file name from the machine: ${JSON.stringify(file.slice(0, 80))}`);
    const asRoot = run.ssh.target.user === 'root' ? 'bash' : 'sudo -n bash';
    let pending = '';
    const result = await execCommand(conn, machine, `${asRoot} '${file}'; rc=$?; rm -f '${file}'; exit $rc`, {
      stdin: run.stdin,
      timeoutMs: left(),
      signal: run.signal,
      onStderr: run.onProgress
        ? (text) => {
            pending += text;
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) if (line.trim()) run.onProgress!(scrub(line, run.secrets));
          }
        : undefined,
    });
    if (result.code !== 0) throw new RemoteStepError(run.step, machine, result.code, scrub(tail(result.stderr), run.secrets));
    return result.stdout;
  } catch (err) {
    if (err instanceof SshError && err.kind === 'timeout' && err.message.startsWith('command')) {
      const logTail = scrub(tail(err.partialStderr), run.secrets);
      throw new SshError('timeout', machine, `step '${run.step}' on ${machine} did not finish within ${Math.round(run.timeoutMs / 1000)}s${logTail ? `; last lines of its log:\n${logTail}` : ''}`);
    }
    throw err;
  } finally {
    conn.close();
  }
}
