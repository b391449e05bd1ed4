# Mock-applies the alarms of a synthesized stack (environments with alarms enabled): see
# stack.tftest.hcl for how `make validate` runs these files.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

run "someone_hears_about_errors_throttles_and_recorded_failures" {
  command = apply

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.alarms_errors_C2C1967B.alarm_name == "${var.expected_name_prefix}-thumbnail-errors" &&
      aws_cloudwatch_metric_alarm.alarms_errors_C2C1967B.metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.alarms_errors_C2C1967B.threshold == var.expected_error_threshold &&
      aws_cloudwatch_metric_alarm.alarms_errors_C2C1967B.dimensions["FunctionName"] == aws_lambda_function.thumbnail-function_3D83E125.function_name
    )
    error_message = "The errors alarm must watch the thumbnail function at the configured threshold."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.alarms_throttles_3E27267A.metric_name == "Throttles" &&
      aws_cloudwatch_metric_alarm.alarms_throttles_3E27267A.dimensions["FunctionName"] == aws_lambda_function.thumbnail-function_3D83E125.function_name
    )
    error_message = "The throttles alarm must watch the thumbnail function."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.alarms_failure-queue-depth_5ECD2ADC.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.alarms_failure-queue-depth_5ECD2ADC.dimensions["QueueName"] == aws_sqs_queue.failure-queue_3729AB57.name &&
      aws_cloudwatch_metric_alarm.alarms_failure-queue-depth_5ECD2ADC.threshold == 1
    )
    error_message = "One recorded failure must raise the failure-queue alarm."
  }
}
