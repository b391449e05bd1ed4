import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Construct } from 'constructs';

export interface FunctionLogsProps {
  readonly functionName: string;
  readonly retentionDays: number;
}

/**
 * A function's log group, created by the stack (so it has a retention period and is removed with
 * the stack) before the function, so the role never needs logs:CreateLogGroup.
 */
export class FunctionLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: FunctionLogsProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.retentionDays,
    });
  }
}
