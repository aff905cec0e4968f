// The append-only, hash-chained audit journal: what is recorded (events.ts), how a line is made
// (record.ts), the writer (journal.ts), and the readers (verify.ts, read.ts, csv.ts).
export { auditEventSchema, auditEvents, parseEvent, AuditEventError, SECRET_FIELD, ID_DOCUMENTS, TAP_DELETE_REASONS } from './events';
export type { AuditEvent, AuditEventType, EventOf, Payload, GraphTapMethod } from './events';
export { auditRecordSchema, genesisHash, journalFileName, localDay } from './record';
export type { AuditRecord } from './record';
export { RedactionGuard, RedactionError, encodedForms, type EncodedForm } from './redaction';
export { openJournal, Journal, JournalLockedError, JournalBrokenError, JournalLockLostError } from './journal';
export { journalHealthOf } from './health';
export type { JournalOptions, RepairEvent } from './journal';
export { verify } from './verify';
export type { VerifyOptions, VerifyResult, VerifyProblem, ProblemKind, StationSummary } from './verify';
export { records, pendingTaps, checkedPendingTaps, checkedPendingClaims } from './read';
export type { PendingTap, PendingClaim, RejectedRecord } from './read';
export { fileKeyring, keyFileRing, keyringFor, useKeyring, defaultKeyDir, folderId, keyFileSchema, KeyStoreError } from './keys';
export type { StationKeyStore, StationKeyring, ChainAnchor, KeyFile, KeyFileCodec } from './keys';
export { exportCsv, enrollmentRows, toCsv, csvCell } from './csv';
