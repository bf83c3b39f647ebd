// Errors the engine raises for the user. They carry the shape the CLI prints (`exitCode`,
// optional `hint`, see src/cli/errors.ts) without importing the CLI.

export class EngineError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  readonly display?: string;
  constructor(message: string, options: { hint?: string; exitCode?: number; display?: string } = {}) {
    super(message);
    this.name = 'EngineError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.display = options.display;
  }
}

/** A provider call failed; the message is already scrubbed of secrets. */
export class StepError extends Error {
  readonly errorClass: 'throttled' | 'transient' | 'permanent' | 'timeout' | 'cancelled';
  constructor(message: string, errorClass: StepError['errorClass']) {
    super(message);
    this.name = 'StepError';
    this.errorClass = errorClass;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
