// The API's OpenAPI 3.1 document, served at /openapi.json. Written by hand beside the routes
// (app.ts); the server test fuzzes the running server against it with schemathesis, so a
// route and its description cannot drift apart unnoticed.
import { CREDENTIAL_VARIABLES, JOB_STATUSES, OPERATIONS, POLICY_KEYS, POLICY_SCOPES, ROLES } from '../jobs/index.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = { $ref: '#/components/responses/Error' };
const path = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', minLength: 1 } });
const query = (name: string, schema: unknown, description: string) => ({ name, in: 'query', required: false, description, schema });
const body = (schema: unknown, required = true) => ({ required, content: { 'application/json': { schema } } });

function op(summary: string, role: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { summary, description: `Needs the ${role} role.`, ...extra, responses: { ...responses, default: error } };
}

const STRING = { type: 'string' };
const NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' };
const TEXT = { type: 'string', minLength: 1 };
const CREDENTIAL = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' };
const TIME = { type: 'integer', description: 'epoch milliseconds' };
const OBJECT = { type: 'object' };

export function openApiDocument(): Record<string, unknown> {
  const id = path('id', 'the job id (sj_…)');
  const stack = path('stack', 'the stack name');
  return {
    openapi: '3.1.0',
    info: { title: 'sloth-kubernetes jobs API', version: '1', description: 'Stack jobs: queued, pre-flight-checked, policy-gated runs of preview, deploy, refresh, destroy and rollback. See docs/jobs.md.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/health': { get: { summary: 'Liveness', security: [], responses: { 200: json({ type: 'object', required: ['status', 'database'], properties: { status: STRING, database: { enum: ['sqlite', 'postgres'] } } }) } } },
      '/api/v1/me': { get: op('The token presented', 'viewer', { 200: json({ type: 'object', required: ['name', 'role'], properties: { name: STRING, role: { enum: ROLES } } }) }) },
      '/api/v1/jobs': {
        get: op('List jobs, newest first', 'viewer', { 200: json({ type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: ref('Job') } } }) }, {
          parameters: [
            query('stack', STRING, 'only this stack'),
            query('status', { enum: JOB_STATUSES }, 'only jobs in this state'),
            query('operation', { enum: OPERATIONS }, 'only this operation'),
            query('limit', { type: 'integer', minimum: 1, maximum: 500 }, 'at most this many (default 50)'),
            query('before', { type: 'integer', minimum: 1 }, 'only jobs older than this sequence number (paging)'),
          ],
        }),
        post: op('Create a job (after pre-flight)', 'operator', { 201: json(ref('Job'), 'Created and queued') }, { requestBody: body(ref('JobRequest')) }),
      },
      '/api/v1/jobs/{id}': { get: op('A job', 'viewer', { 200: json(ref('Job')) }, { parameters: [id] }) },
      '/api/v1/jobs/{id}/approve': { post: op('Approve the plan of a job awaiting approval', 'approver', { 200: json(ref('Job')) }, { parameters: [id], requestBody: body(ref('Decision'), false) }) },
      '/api/v1/jobs/{id}/reject': { post: op('Reject the plan of a job awaiting approval', 'approver', { 200: json(ref('Job')) }, { parameters: [id], requestBody: body(ref('Decision'), false) }) },
      '/api/v1/jobs/{id}/cancel': { post: op('Cancel: a queued job at once, a running one gracefully, then hard', 'operator', { 200: json(ref('Job')) }, { parameters: [id] }) },
      '/api/v1/jobs/{id}/retry': { post: op('Create a new job with the same request', 'operator', { 201: json(ref('Job'), 'Created and queued') }, { parameters: [id] }) },
      '/api/v1/jobs/{id}/logs': {
        get: op(
          'The job log after an offset; with Accept: text/event-stream, a live stream (each event id is the entry sequence number; resume with Last-Event-ID)',
          'viewer',
          {
            200: {
              description: 'Entries, or a stream',
              content: {
                'application/json': { schema: { type: 'object', required: ['entries', 'status', 'done'], properties: { entries: { type: 'array', items: ref('LogEntry') }, status: { enum: JOB_STATUSES }, done: { type: 'boolean' } } } },
                'text/event-stream': { schema: STRING },
              },
            },
          },
          { parameters: [id, query('after', { type: 'integer', minimum: 0 }, 'entries after this sequence number'), query('limit', { type: 'integer', minimum: 1, maximum: 5000 }, 'at most this many entries')] },
        ),
      },
      '/api/v1/stacks': { get: op('The backend stacks with their latest job', 'viewer', { 200: json({ type: 'object', required: ['stacks'], properties: { stacks: { type: 'array', items: ref('StackSummary') } } }) }) },
      '/api/v1/stacks/{stack}': { get: op('A stack: settings, resolved policy with provenance, recent jobs', 'viewer', { 200: json({ type: 'object', required: ['settings', 'policy', 'jobs'], properties: { settings: ref('StackSettings'), policy: OBJECT, jobs: { type: 'array', items: ref('Job') } } }) }, { parameters: [stack] }) },
      '/api/v1/stacks/{stack}/settings': { put: op('Set the organization, environment and credentials of a stack', 'admin', { 200: json(ref('StackSettings')) }, { parameters: [stack], requestBody: body({ type: 'object', required: ['organization', 'environment', 'credentials'], properties: { organization: NAME, environment: NAME, credentials: { type: 'array', items: CREDENTIAL } } }) }) },
      '/api/v1/stacks/{stack}/history': { get: op('The stack update history', 'viewer', { 200: json({ type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: OBJECT } } }) }, { parameters: [stack, query('limit', { type: 'integer', minimum: 1, maximum: 500 }, 'at most this many')] }) },
      '/api/v1/stacks/{stack}/audit': { get: op('The stack audit events', 'viewer', { 200: json({ type: 'object', required: ['events'], properties: { events: { type: 'array', items: OBJECT } } }) }, { parameters: [stack] }) },
      '/api/v1/policies': { get: op('Every flow-control policy set', 'viewer', { 200: json({ type: 'object', required: ['policies'], properties: { policies: { type: 'array', items: ref('ScopedPolicy') } } }) }) },
      '/api/v1/policies/{scope}/{name}': {
        put: op('Set the policy of a scope (platform: any name, e.g. "-"); an empty object removes it', 'admin', { 200: json(ref('ScopedPolicy')) }, {
          parameters: [{ ...path('scope', 'platform, organization, environment or stack'), schema: { enum: POLICY_SCOPES } }, path('name', 'the organization, environment or stack name')],
          requestBody: body(ref('FlowPolicy')),
        }),
      },
      '/api/v1/credentials': { get: op('Stored credentials (names and variable names, never values)', 'admin', { 200: json({ type: 'object', required: ['credentials'], properties: { credentials: { type: 'array', items: ref('Credential') }, providers: OBJECT } }) }) },
      '/api/v1/credentials/{name}': {
        put: op('Store a credential, sealed with the server key', 'admin', { 200: json(ref('Credential')) }, { parameters: [{ ...path('name', 'credential name'), schema: CREDENTIAL }], requestBody: body({ type: 'object', required: ['provider', 'values'], properties: { provider: { enum: Object.keys(CREDENTIAL_VARIABLES) }, values: { type: 'object', minProperties: 1, additionalProperties: STRING } } }) }),
        delete: op('Remove a credential', 'admin', { 200: json({ type: 'object', properties: { deleted: STRING } }) }, { parameters: [path('name', 'credential name')] }),
      },
      '/api/v1/tokens': {
        get: op('API tokens (never their values)', 'admin', { 200: json({ type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: ref('Token') } } }) }),
        post: op('Make a token; its value is shown once', 'admin', { 201: json({ allOf: [ref('Token'), { type: 'object', required: ['token'], properties: { token: STRING } }] }, 'Created') }, { requestBody: body({ type: 'object', required: ['name', 'role'], properties: { name: { type: 'string', pattern: '^[A-Za-z0-9@._-]{1,64}$' }, role: { enum: ROLES }, expiresAt: { ...TIME, description: 'epoch milliseconds, in the future' } } }) }),
      },
      '/api/v1/tokens/{id}': { delete: op('Revoke a token', 'admin', { 200: json({ type: 'object', properties: { revoked: STRING } }) }, { parameters: [path('id', 'token id')] }) },
      '/api/v1/webhooks': {
        get: op('Completion webhooks', 'admin', { 200: json({ type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: ref('Webhook') } } }) }),
        post: op('Add a webhook; its signing secret is shown once', 'admin', { 201: json({ allOf: [ref('Webhook'), { type: 'object', required: ['secret'], properties: { secret: STRING } }] }, 'Created') }, { requestBody: body({ type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } } }) }),
      },
      '/api/v1/webhooks/{id}': { delete: op('Remove a webhook', 'admin', { 200: json({ type: 'object', properties: { deleted: STRING } }) }, { parameters: [path('id', 'webhook id')] }) },
      '/api/v1/audit': { get: op('The server audit log (tokens, credentials, policies, settings, webhooks)', 'admin', { 200: json({ type: 'object', required: ['events'], properties: { events: { type: 'array', items: OBJECT } } }) }, { parameters: [query('limit', { type: 'integer', minimum: 1, maximum: 1000 }, 'at most this many')] }) },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (slk_…); roles: viewer, operator, approver, admin' } },
      responses: {
        Error: json({ type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: STRING, message: STRING, hint: STRING, problems: { type: 'array', items: STRING } } } } }, 'An error: what, and what to do'),
      },
      schemas: {
        JobRequest: {
          type: 'object',
          required: ['stack', 'operation'],
          properties: {
            stack: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' },
            operation: { enum: OPERATIONS },
            message: { type: 'string', maxLength: 1000 },
            config: { type: 'object', required: ['text'], properties: { text: { ...TEXT, description: 'the Lisp cluster config' }, name: STRING } },
            git: { type: 'object', required: ['url', 'ref', 'path'], properties: { url: TEXT, ref: TEXT, path: TEXT } },
            credentials: { type: 'array', items: CREDENTIAL },
            bootstrap: { type: 'boolean' },
            operatorCidrs: { type: 'array', items: TEXT },
            rollbackTo: TEXT,
          },
        },
        Decision: { type: 'object', properties: { comment: { type: 'string', maxLength: 1000 } } },
        FlowPolicy: { type: 'object', properties: Object.fromEntries(POLICY_KEYS.map((k) => [k, { type: 'boolean' }])), additionalProperties: false },
        ScopedPolicy: { type: 'object', required: ['scope', 'name', 'policy'], properties: { scope: { enum: POLICY_SCOPES }, name: STRING, policy: ref('FlowPolicy') } },
        Job: {
          type: 'object',
          required: ['id', 'seq', 'stack', 'operation', 'status', 'spec', 'createdAt', 'updatedAt', 'attempt', 'steps', 'transitions'],
          properties: {
            id: STRING,
            seq: { type: 'integer' },
            stack: STRING,
            operation: { enum: OPERATIONS },
            status: { enum: JOB_STATUSES },
            spec: OBJECT,
            createdAt: TIME,
            updatedAt: TIME,
            startedAt: TIME,
            finishedAt: TIME,
            runner: STRING,
            attempt: { type: 'integer' },
            cancelRequested: { type: 'boolean' },
            applied: { type: 'boolean' },
            decision: OBJECT,
            plan: OBJECT,
            outputs: OBJECT,
            error: STRING,
            queuePosition: { type: 'integer' },
            steps: { type: 'array', items: { type: 'object', required: ['step', 'status'], properties: { step: STRING, status: STRING } } },
            transitions: { type: 'array', items: { type: 'object', required: ['status', 'at'], properties: { status: { enum: JOB_STATUSES }, at: TIME, by: STRING, note: STRING } } },
          },
        },
        LogEntry: { type: 'object', required: ['seq', 'at', 'kind', 'data'], properties: { seq: { type: 'integer' }, at: TIME, kind: { enum: ['event', 'step', 'status', 'message', 'error'] }, data: OBJECT } },
        StackSummary: { type: 'object', required: ['name', 'organization', 'environment'], properties: { name: STRING, organization: STRING, environment: STRING, resources: { type: 'integer' }, lastUpdate: STRING, lastJob: OBJECT } },
        StackSettings: { type: 'object', required: ['stack', 'organization', 'environment', 'credentials'], properties: { stack: STRING, organization: STRING, environment: STRING, credentials: { type: 'array', items: STRING } } },
        Credential: { type: 'object', required: ['name', 'provider', 'variables', 'version'], properties: { name: STRING, provider: STRING, variables: { type: 'array', items: STRING }, version: { type: 'integer' } } },
        Token: { type: 'object', required: ['id', 'name', 'role', 'createdAt', 'revoked'], properties: { id: STRING, name: STRING, role: { enum: ROLES }, createdAt: TIME, expiresAt: TIME, revoked: { type: 'boolean' } } },
        Webhook: { type: 'object', required: ['id', 'url', 'createdAt'], properties: { id: STRING, url: STRING, createdAt: TIME } },
      },
    },
  };
}
