export { EvidenceError, type EvidenceErrorCode } from './errors';
export { EvidenceStore, evidenceIdFor, type EvidenceStoreOptions } from './evidence-store';
export { CustodyEvent, EvidenceItem, EvidenceMeta, Handler } from './schema';
