export { incidentWorkflow } from './incident/incident-workflow';
