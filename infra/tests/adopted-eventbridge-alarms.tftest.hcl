# The alarm on an adopted bucket's EventBridge dead-letter queue (when alarms are enabled): see
# stack.tftest.hcl for how `make validate` runs these files.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:111122223333:layer:mock-sharp:1" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:111122223333:function:mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/mock" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:eu-west-1:111122223333:rule/mock-uploads" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:111122223333:mock", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/mock" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock" }
  }
  # The adopted bucket as S3 describes it: in the stack's region (mock values cannot read
  # variables, so `make validate` writes the expected values where @expected_...@ stands).
  mock_data "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::@expected_adopted_bucket@", bucket_region = "@expected_region@" }
  }
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
