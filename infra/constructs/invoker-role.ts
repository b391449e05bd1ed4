import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Construct } from 'constructs';
import { invokerPolicy, invokerTrustPolicy } from '../policies';

export interface InvokerRoleProps {
  readonly roleName: string;
  readonly principals: readonly string[];
  readonly function: LambdaFunction;
}

/** For operators and backfill tooling: may invoke the function, and nothing else. */
export class InvokerRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: InvokerRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: JSON.stringify(invokerTrustPolicy(props.principals)),
      maxSessionDuration: 3600,
    });
    new IamRolePolicy(this, 'policy', { name: 'invoke', role: this.role.id, policy: JSON.stringify(invokerPolicy(props.function.arn)) });
  }
}
