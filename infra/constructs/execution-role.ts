import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { lambdaTrustPolicy, type PolicyDocument } from '../policies';

export interface ExecutionRoleProps {
  readonly roleName: string;
  readonly accountId: string;
  /** Everything the function may do; no managed policies are attached. */
  readonly policy: PolicyDocument;
}

/** A function's execution role: assumable by Lambda for this account only, with one inline policy. */
export class ExecutionRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ExecutionRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: JSON.stringify(lambdaTrustPolicy(props.accountId)),
    });
    this.policy = new IamRolePolicy(this, 'policy', {
      name: 'execution',
      role: this.role.id,
      policy: JSON.stringify(props.policy),
    });
  }
}
