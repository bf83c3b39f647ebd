// The Stack custom resource: its API group, names, and the CustomResourceDefinition with the
// OpenAPI v3 schema the API server validates every Stack against, the printer columns
// `kubectl get stacks` shows, and the status subresource (so the spec and the status are
// written through different endpoints, by different actors). What the schema cannot say
// (exactly one config source, a Secret key that exists) spec.ts checks.
export const GROUP = 'sloth-kubernetes.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'Stack';
export const PLURAL = 'stacks';
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Held on every Stack the operator has seen, so a delete waits for it (and, with destroyOnFinalize, for the destroy). */
export const FINALIZER = `${GROUP}/finalizer`;
/** Set to the digest of the plan in status.pendingApproval to let that plan be applied. */
export const APPROVE_ANNOTATION = `${GROUP}/approve`;
/** Any new value asks for a reconcile now (e.g. `kubectl annotate stack x sloth-kubernetes.io/reconcile-request=$(date +%s) --overwrite`). */
export const RECONCILE_ANNOTATION = `${GROUP}/reconcile-request`;

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const keyRef = (what: string): Schema => ({
  type: 'object',
  description: `${what}: a key of a Secret in the Stack's namespace.`,
  required: ['name', 'key'],
  properties: { name: str('the Secret', { minLength: 1 }), key: str('the key in it', { minLength: 1 }) },
});

const envRef: Schema = {
  type: 'object',
  description: 'Where the variable\'s value comes from: a Secret key, a ConfigMap key or a literal (never the operator\'s own environment or files).',
  required: ['type'],
  properties: {
    type: str('Secret, ConfigMap or Literal', { enum: ['Secret', 'ConfigMap', 'Literal'] }),
    secret: { type: 'object', required: ['name', 'key'], properties: { name: str('the Secret', { minLength: 1 }), key: str('the key', { minLength: 1 }) } },
    configMap: { type: 'object', required: ['name', 'key'], properties: { name: str('the ConfigMap', { minLength: 1 }), key: str('the key', { minLength: 1 }) } },
    literal: { type: 'object', required: ['value'], properties: { value: str('the value') } },
  },
  'x-kubernetes-validations': [
    { rule: "self.type != 'Secret' || has(self.secret)", message: 'type Secret needs secret: {name, key}' },
    { rule: "self.type != 'ConfigMap' || has(self.configMap)", message: 'type ConfigMap needs configMap: {name, key}' },
    { rule: "self.type != 'Literal' || has(self.literal)", message: 'type Literal needs literal: {value}' },
  ],
};

const condition: Schema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'lastTransitionTime'],
  properties: {
    type: str('Ready, Reconciling, Stalled or Drifted'),
    status: str('True, False or Unknown', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('why, in one word'),
    message: str('why, for people'),
    observedGeneration: { type: 'integer', format: 'int64' },
    lastTransitionTime: str('when the status last changed', { format: 'date-time' }),
  },
};

const update: Schema = {
  type: 'object',
  properties: {
    id: str('the update\'s id (also in the Events and the stack\'s audit log)'),
    operation: str('update, destroy, refresh or preview', { enum: ['update', 'destroy', 'refresh', 'preview'] }),
    commit: str('the git commit (or config digest) it ran for'),
    result: str('succeeded or failed', { enum: ['succeeded', 'failed'] }),
    reason: str('why it failed, in one word'),
    message: str('what happened (no secret)'),
    generation: { type: 'integer', format: 'int64', description: 'the Stack generation it ran for' },
    revision: str('digest of everything the update depended on: generation, commit, config, referenced objects'),
    changes: { type: 'object', additionalProperties: { type: 'integer' }, description: 'resources created, updated, replaced, deleted' },
    failures: { type: 'integer', description: 'failed attempts in a row at this revision' },
    holder: str('the operator replica that ran it'),
    process: str('the process that held the stack lock (host and pid)'),
    startTime: str('', { format: 'date-time' }),
    endTime: str('', { format: 'date-time' }),
  },
};

export const stackSchema: Schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['stack'],
      properties: {
        stack: str('the sloth-kubernetes stack (as in `sloth-kubernetes stacks create NAME`)', { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' }),
        backend: str('where the stack lives: file:///path (a mounted volume) or s3://bucket[/prefix][?region=…]; default file:///var/lib/sloth-kubernetes', { pattern: '^(file|s3)://.+' }),
        secretsProvider: str('how a new stack is encrypted: passphrase (PULUMI_CONFIG_PASSPHRASE from envRefs) or awskms://KEY', { pattern: '^(passphrase|awskms://.+)$' }),
        projectRepo: str('a git repository holding the Lisp config (https://, ssh://, git://, file://)'),
        repoDir: str('the directory in the repository that holds the config file'),
        configFile: str('the config file, relative to repoDir (default cluster.lisp)'),
        commit: str('a commit to deploy (40 hex digits); excludes branch', { pattern: '^[0-9a-f]{40}$' }),
        branch: str('a branch to track (polled every resyncFrequencySeconds); excludes commit'),
        gitAuth: {
          type: 'object',
          description: 'Credentials for projectRepo, each from a Secret.',
          properties: {
            sshPrivateKey: keyRef('an SSH private key'),
            accessToken: keyRef('an access token (HTTPS)'),
            basicAuth: { type: 'object', required: ['userName', 'password'], properties: { userName: keyRef('the user name'), password: keyRef('the password') } },
          },
        },
        config: str('the Lisp config itself (instead of git or a ConfigMap)'),
        configMapRef: { type: 'object', required: ['name', 'key'], description: 'a ConfigMap key holding the Lisp config', properties: { name: str('the ConfigMap', { minLength: 1 }), key: str('the key', { minLength: 1 }) } },
        envRefs: { type: 'object', description: 'Environment of the update (cloud credentials, PULUMI_CONFIG_PASSPHRASE, AWS_REGION …) by variable name.', additionalProperties: envRef },
        bootstrap: bool('install Kubernetes on the machines (default true); false = machines, networks, load balancer and DNS only, as deploy --no-bootstrap'),
        operatorCidrs: { type: 'array', items: str('a CIDR'), description: 'addresses allowed to reach SSH and the Kubernetes API (as deploy --operator-cidr); required unless the config opens them otherwise' },
        refresh: bool('refresh the stack from the clouds before each update'),
        destroyOnFinalize: bool('destroy the cluster when the Stack is deleted (default false: the stack and the cluster are left alone)'),
        resyncFrequencySeconds: { type: 'integer', minimum: 5, description: 'how often a tracked branch is polled, and (with continueResyncOnCommitMatch) an unchanged stack updated again; default 60' },
        continueResyncOnCommitMatch: bool('update again every resyncFrequencySeconds even when nothing changed (corrects drift)'),
        retryOnUpdateConflict: bool('when the stack is locked by someone else, retry instead of stalling'),
        maxBackoffSeconds: { type: 'integer', minimum: 1, description: 'the cap of the exponential backoff after failed updates (default 3600)' },
        prerequisites: {
          type: 'array',
          description: 'Stacks (same namespace) whose last update must have succeeded before this one updates.',
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: str('the Stack resource', { minLength: 1 }),
              requirement: { type: 'object', properties: { succeededWithinDuration: str('e.g. 1h, 30m, 90s: the success must be this recent', { pattern: '^([0-9]+(s|m|h))+$' }) } },
            },
          },
        },
        approval: {
          type: 'object',
          description: 'Pause every change until a person approves the previewed plan: annotate the Stack with sloth-kubernetes.io/approve=<status.pendingApproval.digest>.',
          properties: { required: bool('approval needed before applying a plan with changes') },
        },
        driftDetection: {
          type: 'object',
          description: 'Compare the clouds with the stack on a schedule and report drift (condition Drifted); optionally correct it.',
          required: ['intervalSeconds'],
          properties: {
            intervalSeconds: { type: 'integer', minimum: 5, description: 'seconds between checks' },
            remediate: bool('after drift is found, refresh and update to bring the clouds back to the config'),
          },
        },
      },
      'x-kubernetes-validations': [
        { rule: '!(has(self.commit) && has(self.branch))', message: 'commit and branch exclude each other' },
        {
          rule: "(has(self.projectRepo) ? 1 : 0) + (has(self.config) ? 1 : 0) + (has(self.configMapRef) ? 1 : 0) == 1",
          message: 'give exactly one config source: projectRepo (git), config (inline) or configMapRef',
        },
        { rule: '!has(self.projectRepo) || has(self.commit) || has(self.branch)', message: 'projectRepo needs commit or branch' },
        { rule: 'has(self.projectRepo) || !(has(self.commit) || has(self.branch) || has(self.repoDir) || has(self.gitAuth))', message: 'commit, branch, repoDir and gitAuth need projectRepo' },
      ],
    },
    status: {
      type: 'object',
      properties: {
        observedGeneration: { type: 'integer', format: 'int64' },
        conditions: { type: 'array', items: condition, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
        currentUpdate: update,
        lastUpdate: update,
        lastSuccessfulCommit: str('the commit of the last successful update'),
        outputs: { type: 'object', additionalProperties: { type: 'string' }, description: 'the stack outputs in short: values as JSON, secrets as [secret]' },
        pendingApproval: {
          type: 'object',
          properties: {
            digest: str('annotate sloth-kubernetes.io/approve with this to apply the plan'),
            commit: str('the commit the plan is for'),
            summary: str('what the plan changes'),
            changes: { type: 'object', additionalProperties: { type: 'integer' } },
            since: str('', { format: 'date-time' }),
          },
        },
        drift: {
          type: 'object',
          properties: {
            checkTime: str('', { format: 'date-time' }),
            drifted: { type: 'integer', description: 'resources that differ from the stack' },
            gone: { type: 'integer', description: 'resources no longer in their cloud' },
            resources: { type: 'array', items: { type: 'string' }, description: 'the first URNs that drifted' },
            message: str('what was found, or why the check failed'),
          },
        },
        nextRetryTime: str('when a failed update is retried', { format: 'date-time' }),
      },
    },
  },
};

/** The CustomResourceDefinition object. */
export function stackCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural: PLURAL, singular: 'stack', kind: KIND, listKind: 'StackList', shortNames: ['sks'], categories: ['sloth-kubernetes'] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: stackSchema },
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Stack', type: 'string', jsonPath: '.spec.stack' },
            { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
            { name: 'Reason', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].reason" },
            { name: 'Last Update', type: 'string', jsonPath: '.status.lastUpdate.result' },
            { name: 'Commit', type: 'string', jsonPath: '.status.lastUpdate.commit', priority: 1 },
            { name: 'Updated', type: 'date', jsonPath: '.status.lastUpdate.endTime' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}
