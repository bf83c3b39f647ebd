// Public surface of the audit layer (imports src/state and src/redact).
export { AuditLog, AuditError, PRUNE_META, IMPORTED_META, anchorOf, batchName } from './log.ts';
export type { AuditAnchor, BatchRef, OpenedBatch, PrunePoint, StoredBatch, VerifyReport } from './log.ts';
export { filterEvents, summarize } from './query.ts';
export type { AuditFilter, AuditSummary, CountStat } from './query.ts';
export { AuditSession } from './session.ts';
export type { CommandSummary, EventInput, SessionOptions } from './session.ts';
export { anchorRecord, storedAnchor } from './anchor.ts';
export { EXPORT_FORMAT, exportDocument, importable, parseExport } from './exchange.ts';
export type { ListedEvent } from './exchange.ts';
export { pruneLog } from './prune.ts';
export { EVENT_TYPES, EVENT_ACTIONS, SEVERITIES, isEventAction, isEventType } from './types.ts';
export type { AuditEvent, EventAction, EventType, RedactedValue, Severity } from './types.ts';
export { keyFingerprint, seal, open, generateAuditKeyPair } from './sealed-box.ts';
export type { AuditKeyPair, Sealed } from './sealed-box.ts';
