import { Construct } from 'constructs';
import type { Architecture } from '../../lib/architectures';
import type { ZipArtifact } from '../artifacts';
import { logsOnlyPolicy } from '../policies';
import { ExecutionRole } from './execution-role';
import { FunctionLogs } from './function-logs';
import { PackagedFunction } from './packaged-function';

export interface CalculatorFunctionProps {
  readonly functionName: string;
  readonly accountId: string;
  readonly zip: ZipArtifact;
  readonly architecture: Architecture;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  readonly logLevel: string;
}

/**
 * The seed notes' first function (`{"x": 10, "y": 2}` -> `{"result": 5}`): its log group, a role
 * that may only write those logs, and the function. No layer, no trigger.
 */
export class CalculatorFunction extends Construct {
  readonly logs: FunctionLogs;
  readonly role: ExecutionRole;
  readonly packaged: PackagedFunction;

  constructor(scope: Construct, id: string, props: CalculatorFunctionProps) {
    super(scope, id);
    this.logs = new FunctionLogs(this, 'logs', { functionName: props.functionName, retentionDays: props.logRetentionDays });
    this.role = new ExecutionRole(this, 'role', {
      roleName: `${props.functionName}-execution`,
      accountId: props.accountId,
      policy: logsOnlyPolicy(this.logs.logGroup.arn),
    });
    this.packaged = new PackagedFunction(this, 'function', {
      functionName: props.functionName,
      description: 'The seed notes\' first function: {"x": 10, "y": 2} -> {"result": 5}',
      zip: props.zip,
      handler: 'index.handler',
      architecture: props.architecture,
      memoryMB: props.memoryMB,
      timeoutSeconds: props.timeoutSeconds,
      environment: { POWERTOOLS_SERVICE_NAME: 'calculator' },
      role: this.role.role,
      logGroup: this.logs.logGroup,
      logLevel: props.logLevel,
      dependsOn: [this.role.policy],
    });
  }

  /**
   * Tell Terraform these resources are the ones it knows under their addresses from before the
   * calculator was a construct of its own (`moved` blocks), so an existing deployment is not replaced.
   */
  movedFrom(addresses: {
    readonly logGroup: string;
    readonly role: string;
    readonly rolePolicy: string;
    readonly function: string;
    readonly recursion: string;
  }): void {
    this.logs.logGroup.moveFromId(addresses.logGroup);
    this.role.role.moveFromId(addresses.role);
    this.role.policy.moveFromId(addresses.rolePolicy);
    this.packaged.function.moveFromId(addresses.function);
    this.packaged.recursion.moveFromId(addresses.recursion);
  }
}
