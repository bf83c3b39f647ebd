// Errors of Azure Resource Manager and how the engine treats them. The SDK throws RestError
// (an HTTP answer, or none) and @azure/identity CredentialUnavailableError /
// AuthenticationError; a long-running operation that ends `Failed` throws the operation's
// error (code and message).
import type { ErrorClass } from '../../engine/index.ts';

interface AzureErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
}

/** ARM error codes that clear by themselves: another operation on the object, or on one it depends on. */
const TRANSIENT_CODES = new Set([
  'AnotherOperationInProgress',
  'RetryableError',
  'Conflict',
  'OperationNotAllowed',
  'InUseSubnetCannotBeDeleted',
  'InUseNetworkSecurityGroupCannotBeDeleted',
  'NicInUse',
  'NicReservedForAnotherVm',
  'PublicIPAddressInUse',
  'PublicIPAddressCannotBeDeleted',
  'ResourceGroupBeingDeleted',
  'InternalServerError',
  'ServerTimeout',
  'ServiceUnavailable',
  'TooManyRequests',
  'RequestSendError',
  'REQUEST_SEND_ERROR',
]);

export function classifyAzureError(err: unknown): ErrorClass {
  const e = err as AzureErrorLike;
  if (!e || typeof e !== 'object') return 'permanent';
  if (e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError') return 'permanent';
  if (e.statusCode === 429 || e.code === 'TooManyRequests') return 'throttled';
  if (e.statusCode !== undefined && e.statusCode >= 500) return 'transient';
  if (e.code && TRANSIENT_CODES.has(e.code)) return 'transient';
  if (e.name === 'RestError' && e.statusCode === undefined) return 'transient'; // no answer
  return 'permanent';
}

/** A 404 from ARM: the object (or its parent) does not exist. */
export function isNotFound(err: unknown): boolean {
  const e = err as AzureErrorLike;
  return e?.statusCode === 404 || e?.code === 'ResourceNotFound' || e?.code === 'ResourceGroupNotFound' || e?.code === 'NotFound';
}

/** Runs an ARM GET; undefined when the object is gone. */
export async function findAzure<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Runs an ARM DELETE; an object already gone counts as deleted. */
export async function removeAzure(del: () => Promise<unknown>): Promise<void> {
  try {
    await del();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
