// Errors of the GCP APIs and how the engine treats them. The compute client (REST transport)
// throws GoogleError with a gRPC status `code` (and the HTTP status); @google-cloud/dns
// throws ApiError with the HTTP `code`; an operation that ends with errors is thrown here as
// GcpOperationError with Compute Engine's error code.
import type { ErrorClass } from '../../engine/index.ts';

/** gRPC status codes the REST transport maps HTTP answers to. */
const GRPC = { NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, INTERNAL: 13, UNAVAILABLE: 14, DEADLINE_EXCEEDED: 4, UNAUTHENTICATED: 16, PERMISSION_DENIED: 7 } as const;

export class GcpOperationError extends Error {
  readonly code: string;
  constructor(what: string, errors: { code?: string | null; message?: string | null }[]) {
    super(`${what} failed: ${errors.map((e) => `${e.code ?? 'ERROR'}: ${e.message ?? ''}`).join('; ')}`);
    this.name = 'GcpOperationError';
    this.code = errors[0]?.code ?? 'ERROR';
  }
}

/** Operation error codes that clear by themselves. */
const TRANSIENT_CODES = new Set(['RESOURCE_IN_USE_BY_ANOTHER_RESOURCE', 'RESOURCE_NOT_READY', 'RESOURCE_OPERATION_RATE_EXCEEDED', 'ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', 'INTERNAL_ERROR']);

interface ErrorLike {
  name?: string;
  code?: number | string;
  statusCode?: number;
  message?: string;
}

/** The HTTP status an error carries, from either client. */
function httpStatus(e: ErrorLike): number | undefined {
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (e.name === 'ApiError' && typeof e.code === 'number') return e.code;
  // The REST transport passes some error answers on as their JSON text.
  if (e.message?.startsWith('{')) {
    try {
      const code = (JSON.parse(e.message) as { error?: { code?: unknown } }).error?.code;
      if (typeof code === 'number') return code;
    } catch {
      /* not JSON after all */
    }
  }
  return undefined;
}

export function classifyGcpError(err: unknown): ErrorClass {
  const e = err as ErrorLike;
  if (!e || typeof e !== 'object') return 'permanent';
  if (err instanceof GcpOperationError) return e.code === 'RESOURCE_OPERATION_RATE_EXCEEDED' ? 'throttled' : TRANSIENT_CODES.has(err.code) ? 'transient' : 'permanent';
  const status = httpStatus(e);
  // The REST transport maps 429 to RESOURCE_EXHAUSTED, which also says a quota is used up (permanent).
  if (status === 429 || (e.name === 'GoogleError' && e.code === GRPC.RESOURCE_EXHAUSTED && !/quota '?[A-Z_]+'? exceeded|QUOTA_EXCEEDED/i.test(e.message ?? ''))) return 'throttled';
  if (status !== undefined && status >= 500) return 'transient';
  if (e.name === 'GoogleError' && (e.code === GRPC.UNAVAILABLE || e.code === GRPC.INTERNAL || e.code === GRPC.DEADLINE_EXCEEDED || e.code === GRPC.ABORTED)) return 'transient';
  if (/resourceInUseByAnotherResource|already being used by|resourceNotReady|is not ready/i.test(e.message ?? '')) return 'transient';
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/.test(e.message ?? '')) return 'transient';
  return 'permanent';
}

export function isNotFound(err: unknown): boolean {
  const e = err as ErrorLike;
  return (e && httpStatus(e) === 404) || (e?.name === 'GoogleError' && e.code === GRPC.NOT_FOUND) || /\bnotFound\b|was not found/.test(e?.message ?? '');
}

export async function findGcp<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
