// The pieces a cluster deploy or rollback needs to record its history, in one import.
import { AuditSession } from '../audit/session.ts';
import type { CliIO } from '../io.ts';

export { ClusterRecorder, dangerousSteps } from './cluster-recorder.ts';

export function deploySession(io: CliIO, command: 'deploy' | 'rollback', stack: string): AuditSession {
  return new AuditSession(io, command, {
    type: command === 'rollback' ? 'rollback' : 'deployment',
    action: command === 'rollback' ? 'rollback' : 'apply',
    resourceId: stack,
    resourceType: 'stack',
    description: `${command} of stack '${stack}'`,
  });
}
