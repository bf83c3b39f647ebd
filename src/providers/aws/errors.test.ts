// Which AWS failures the engine retries, and what the user is told.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsCallError, awsCall, classifyError } from './errors.ts';

const sdkError = (name: string, status: number, message = 'x') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('AWS error classification', () => {
  it('retries throttling and passing trouble, fails the rest at once', () => {
    assert.equal(classifyError(sdkError('RequestLimitExceeded', 503)), 'throttled');
    assert.equal(classifyError(sdkError('Throttling', 400, 'Rate exceeded')), 'throttled');
    assert.equal(classifyError(sdkError('SomethingElse', 429)), 'throttled');
    assert.equal(classifyError(sdkError('InternalError', 500)), 'transient');
    assert.equal(classifyError(sdkError('Whatever', 502)), 'transient');
    assert.equal(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 'transient');
    assert.equal(classifyError(sdkError('DependencyViolation', 400)), 'transient');
    assert.equal(classifyError(sdkError('InvalidSubnetID.NotFound', 400)), 'permanent', 'unless the id was just created (fresh-ids.test.ts)');
    assert.equal(classifyError(sdkError('InvalidParameterValue', 400)), 'permanent');
    assert.equal(classifyError(sdkError('UnauthorizedOperation', 403)), 'permanent');
    assert.equal(classifyError(sdkError('VcpuLimitExceeded', 400)), 'permanent');
  });

  it('names the operation and says what to do', async () => {
    const err = await awsCall('RunInstances', () => Promise.reject(sdkError('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'))).catch((e: unknown) => e);
    assert.ok(err instanceof AwsCallError);
    assert.equal(err.code, 'UnauthorizedOperation');
    assert.match(err.message, /^RunInstances failed: UnauthorizedOperation: You are not authorized.* lacks a permission/);
    const quota = await awsCall('RunInstances', () => Promise.reject(sdkError('VcpuLimitExceeded', 400, 'You have requested more vCPU capacity'))).catch((e: unknown) => e as Error);
    assert.match(quota.message, /raise it in Service Quotas/);
    const creds = await awsCall('DescribeVpcs', () => Promise.reject(sdkError('AuthFailure', 401, 'AWS was not able to validate the provided access credentials'))).catch((e: unknown) => e as Error);
    assert.match(creds.message, /check the AWS credentials/);
    assert.equal(classifyError(creds), 'permanent');
  });
});
