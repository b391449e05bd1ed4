# The alarm on an adopted bucket's EventBridge dead-letter queue (when alarms are enabled): see
# stack.tftest.hcl for how `make validate` runs these files.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  adopted_bucket_eventbridge = true
}

run "someone_hears_about_events_eventbridge_could_not_deliver" {
  command = apply

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.alarms_dead-letter-queue-depth_F342FBC7.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.alarms_dead-letter-queue-depth_F342FBC7.dimensions["QueueName"] == aws_sqs_queue.eventbridge-trigger_dead-letters_queue_02C9A4EB.name &&
      aws_cloudwatch_metric_alarm.alarms_dead-letter-queue-depth_F342FBC7.threshold == 1
    )
    error_message = "One undelivered event must raise the dead-letter alarm, as one recorded failure does."
  }
}
