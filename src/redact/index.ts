// The one redaction module: what a secret is and how it is hidden, for every renderer and
// recorder (CLI output, audit events, manifests, live diffs, exports).
export { REDACTED, isCredentialKey, isCredentialOutput, maskedOutputs, redactUnder, redactValue, scrubText, secretList, shownValue } from './values.ts';
export type { RedactedValue } from './values.ts';
export { redactManifest } from './manifest.ts';
export { configSecretValues, deploymentSecretValues, namedConfigSecrets, redactedConfig, stackSecretValues, storedConfigSecrets } from './secrets.ts';
