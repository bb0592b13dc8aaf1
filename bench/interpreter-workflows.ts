// Bundle entry for bench/interpreter.ts: the real incident workflow and its hand-written baseline on one worker.
export { incidentWorkflow } from '../workflows';
export { baselineNoopsWorkflow } from './baseline-workflows';
