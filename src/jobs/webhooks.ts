// Completion webhooks: when a job ends, each webhook is sent the job's summary as JSON, signed
// with its own secret (HMAC-SHA256 of `<timestamp>.<body>`, in the header
// `X-Sloth-Signature: t=<timestamp>,v1=<hex>`), so a receiver can check who sent it and when.
// Three tries with a short pause; the outcome of each delivery goes to the job's log.
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Webhook } from './settings.ts';
import type { Job } from './types.ts';

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a webhook receives about a job (no config, no credentials). */
export function jobSummary(job: Job): Record<string, unknown> {
  return {
    event: 'job.finished',
    job: { id: job.id, stack: job.stack, operation: job.operation, status: job.status, createdAt: job.createdAt, finishedAt: job.finishedAt, error: job.error, outputs: job.outputs, trigger: job.spec.trigger },
  };
}

/** Delivers to every webhook; returns one line per webhook saying how it went. */
export async function deliverWebhooks(hooks: readonly (Webhook & { secret: string })[], job: Job, tries = 3): Promise<string[]> {
  const body = JSON.stringify(jobSummary(job));
  return Promise.all(
    hooks.map(async (hook) => {
      let last = '';
      for (let attempt = 1; attempt <= tries; attempt++) {
        const t = Math.floor(Date.now() / 1000);
        try {
          const r = await fetch(hook.url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-sloth-signature': signature(hook.secret, t, body), 'x-sloth-webhook': hook.id }, signal: AbortSignal.timeout(10_000) });
          if (r.ok) return `webhook ${hook.id} (${hook.url}): delivered (${r.status})`;
          last = `HTTP ${r.status}`;
        } catch (err) {
          last = (err as Error).message;
        }
        if (attempt < tries) await sleep(500 * attempt);
      }
      return `webhook ${hook.id} (${hook.url}): not delivered after ${tries} tries: ${last}`;
    }),
  );
}
