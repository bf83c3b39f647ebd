// AWS errors as the engine and the user see them: every SDK failure is rethrown as an
// AwsCallError naming the operation, AWS's code and message, and what to do; the engine
// retries throttling and passing trouble (5xx, resets, eventual consistency right after a
// create), nothing else.
import type { ErrorClass } from '../../engine/index.ts';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'PriorRequestNotComplete',
  'SlowDown',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'RequestTimeTooSkewed',
]);

const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'IDPCommunicationError',
  // Objects still releasing what they hold (an instance's network interface, a load balancer
  // in a subnet) clear by themselves.
  'DependencyViolation',
  'ResourceInUse',
  'IncorrectState',
  'IncorrectInstanceState',
  'InsufficientInstanceCapacity',
]);

/**
 * The NotFound codes EC2 answers for an id it does not know — or does not know yet: EC2 is
 * eventually consistent, and an id a create just returned may be unknown to the next call.
 * Such an error is passing only for an id this client has just created (marked by the
 * middleware in fresh-ids.ts); for any other id (an existing VPC the config names, an object
 * deleted outside) it is permanent, so a wrong id fails at once instead of after a minute of
 * retries.
 */
export const EVENTUAL_NOT_FOUND: ReadonlySet<string> = new Set([
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidGroupId.NotFound',
  'InvalidInternetGatewayID.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidInstanceID.NotFound',
  'InvalidKeyPair.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
]);

const justCreated = new WeakSet<object>();

/** Marks an SDK error as a NotFound of an id created moments ago (retried as transient). */
export function markEventuallyConsistent(err: unknown): void {
  if (err !== null && typeof err === 'object') justCreated.add(err);
}

const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

const CREDENTIALS = new Set(['AuthFailure', 'UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'MissingAuthenticationToken', 'IncompleteSignature']);
/** Codes AWS answers when the identity lacks a permission. */
export const PERMISSION_CODES: ReadonlySet<string> = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'OptInRequired', 'Blocked']);

interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function errorCode(err: unknown): string {
  const e = err as SdkError;
  return e?.Code ?? e?.code ?? e?.name ?? '';
}

/** An AWS call that failed, with a message a user can act on. */
export class AwsCallError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly errorClass: ErrorClass;
  constructor(operation: string, err: unknown) {
    const e = err as SdkError;
    const code = errorCode(err);
    const status = e?.$metadata?.httpStatusCode;
    const cls = classifyRaw(err);
    super(`${operation} failed: ${describe(code, e?.message ?? String(err))}${advice(code, cls)}`);
    this.name = 'AwsCallError';
    this.code = code;
    this.status = status;
    this.errorClass = cls;
  }
}

function describe(code: string, message: string): string {
  if (!code || message.includes(code)) return message;
  return `${code}: ${message}`;
}

function advice(code: string, cls: ErrorClass): string {
  if (CREDENTIALS.has(code) || code === 'CredentialsProviderError') {
    return ' — check the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or providers.aws access-key-id); temporary ones may have expired';
  }
  if (PERMISSION_CODES.has(code)) return ' — the AWS identity lacks a permission this operation needs (see src/providers/aws/README.md for the IAM actions used)';
  if (code.endsWith('LimitExceeded') && cls === 'permanent') return ' — an AWS quota is reached; raise it in Service Quotas or remove unused resources';
  if (code === 'InvalidAMIID.NotFound' || code === 'InvalidAMIID.Malformed') return ' — the image is not available in this region; set the node pool image to an AMI of this region';
  if (EVENTUAL_NOT_FOUND.has(code) && cls === 'permanent') return ' — it does not exist in this account and region; check the id in the config (providers.aws vpc id), or run refresh if it was deleted outside sloth-kubernetes';
  if (code === 'Unsupported' || code === 'InvalidParameterValue' || code === 'InvalidParameterCombination') return ' — the request was refused as given; check the sizes, zones and images in the config';
  return '';
}

function classifyRaw(err: unknown): ErrorClass {
  const e = err as SdkError & { cause?: { code?: string } };
  const code = errorCode(err);
  if (THROTTLING.has(code) || /throttl|rate exceeded/i.test(e?.message ?? '')) return 'throttled';
  if (e?.$metadata?.httpStatusCode === 429) return 'throttled';
  if (TRANSIENT.has(code)) return 'transient';
  if (EVENTUAL_NOT_FOUND.has(code)) return justCreated.has(e as object) ? 'transient' : 'permanent';
  if ((e?.$metadata?.httpStatusCode ?? 0) >= 500) return 'transient';
  const errno = (e as { code?: string }).code ?? e?.cause?.code;
  if (errno && NETWORK.has(errno)) return 'transient';
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout') return 'transient';
  return 'permanent';
}

/** The engine's classification of anything an AWS call throws. */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof AwsCallError) return err.errorClass;
  if ((err as Error)?.name === 'AbortError') return 'permanent';
  return classifyRaw(err);
}

/** Whether an error means the object is not there (a read answers "gone"). */
export function isNotFound(err: unknown, ...codes: string[]): boolean {
  const code = err instanceof AwsCallError ? err.code : errorCode(err);
  return codes.includes(code);
}

/** Runs one SDK call, turning its failure into an AwsCallError. */
export async function awsCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AwsCallError) throw err;
    if ((err as Error)?.name === 'AbortError') throw err;
    throw new AwsCallError(operation, err);
  }
}
