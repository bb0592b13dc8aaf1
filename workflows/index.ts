export { incidentWorkflow } from './incident/incident-workflow';
export { liftContainmentWorkflow } from './containment/lift-workflow';
