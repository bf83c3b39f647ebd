// Errors the planner raises for the user: what is wrong, where (the config key or the node),
// and what to do. The CLI prints any error with a numeric `exitCode` as it is.

export class ClusterPlanError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'ClusterPlanError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}
