import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import { awsCall } from './errors';
import type { AwsClients } from './session';

/**
 * `vendors.aws.accountId`: before its first action, a worker asks STS whose credentials it holds (after any AssumeRole)
 * and refuses to act when they are another account's, so a key or role mix-up never contains the wrong account's
 * resources. Once per set of clients; a check that failed for a passing reason (throttled, unavailable) is asked again.
 */

const checks = new WeakMap<AwsClients, Promise<void>>();

export function ensureAccount(aws: AwsClients): Promise<void> {
  const expected = aws.settings.accountId;
  if (!expected) return Promise.resolve();
  let check = checks.get(aws);
  if (!check) {
    check = (async () => {
      const { Account } = await awsCall('sts:GetCallerIdentity', `account ${expected}`, () => aws.sts.send(new GetCallerIdentityCommand({})));
      if (Account === expected) return;
      throw ApplicationFailure.create({
        type: VendorFailureType.Unauthorized,
        message: `aws credentials act in account ${Account ?? '(unknown)'}, not vendors.aws.accountId ${expected}; nothing was changed`,
        nonRetryable: true,
        details: [{ vendor: 'aws', expected, actual: Account }],
      });
    })();
    checks.set(aws, check);
    check.catch(() => checks.delete(aws));
  }
  return check;
}
