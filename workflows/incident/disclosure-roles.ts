import type { Runbook } from '../../runbooks/schema/runbook';
import type { Step } from '../../runbooks/schema/step';

function approvalRolesIn(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => {
    switch (step.kind) {
      case 'approval':
        return [step.role];
      case 'sequence':
        return approvalRolesIn(step.steps);
      case 'parallel':
        return step.branches.flatMap(approvalRolesIn);
      case 'when':
        return [...approvalRolesIn(step.steps), ...approvalRolesIn(step.otherwise)];
      default:
        return [];
    }
  });
}

/**
 * The organisation roles that may approve a disclosure somewhere in the runbook: those may also decide that a duty
 * to disclose has ended without a notice. A runbook role with no mapping stands for the organisation role of its name.
 */
export function disclosureRoles(runbook: Pick<Runbook, 'roles' | 'steps'>): string[] {
  return [...new Set(approvalRolesIn(runbook.steps).flatMap((role) => runbook.roles[role] ?? [role]))];
}
