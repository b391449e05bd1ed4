# Mock-plans a stack that adopts an existing bucket with S3 notification delivery (opt-in): the
# bucket's notification configuration, read by `make plan` into var.adopted_bucket_notifications,
# is carried over verbatim beside the stack's own. Plans only: the resource refuses destruction
# (make destroy writes back what the bucket had first), so nothing is applied here to tear down.
# See stack.tftest.hcl for how `make validate` runs these files.

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
  adopted_bucket_notifications = {
    eventbridge = true
    lambda_function = [{
      id                  = "virus-scan"
      lambda_function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:virus-scan"
      events              = ["s3:ObjectCreated:*"]
      filter_prefix       = "incoming/"
      filter_suffix       = null
    }]
    queue = [{
      id            = "audit"
      queue_arn     = "arn:aws:sqs:eu-west-1:111122223333:audit"
      events        = ["s3:ObjectRemoved:*"]
      filter_prefix = null
      filter_suffix = ".pdf"
    }]
    topic = []
  }
}

run "the_bucket_s_notifications_are_carried_over_beside_the_stack_s_own" {
  command = plan

  assert {
    condition = (
      aws_s3_bucket_notification.adopted-notification_717F9558.bucket == var.expected_adopted_bucket &&
      aws_s3_bucket_notification.adopted-notification_717F9558.eventbridge &&
      contains([for rule in aws_s3_bucket_notification.adopted-notification_717F9558.lambda_function : rule.id], "virus-scan") &&
      [for rule in aws_s3_bucket_notification.adopted-notification_717F9558.queue : [rule.id, rule.queue_arn, rule.filter_suffix]] ==
      [["audit", "arn:aws:sqs:eu-west-1:111122223333:audit", ".pdf"]]
    )
    error_message = "Every existing notification (and the EventBridge switch) must be kept, verbatim."
  }

  assert {
    condition = (
      length([for rule in aws_s3_bucket_notification.adopted-notification_717F9558.lambda_function : rule if startswith(rule.id, "${var.expected_name_prefix}-thumbnail-")]) ==
      length(var.expected_suffixes) * (var.expected_delete_rule ? 2 : 1) &&
      alltrue([for rule in aws_s3_bucket_notification.adopted-notification_717F9558.lambda_function :
      rule.filter_prefix == var.expected_adopted_prefix if startswith(rule.id, "${var.expected_name_prefix}-thumbnail-")])
    )
    error_message = "The stack adds one rule per suffix (and per delete), under its prefix, named as its own."
  }

  assert {
    condition = (
      aws_lambda_permission.adopted-notification_permission_6D85B82F.principal == "s3.amazonaws.com" &&
      aws_lambda_permission.adopted-notification_permission_6D85B82F.source_account == "111122223333"
    )
    error_message = "Only S3, for this account, may invoke the function."
  }
}

run "a_bucket_without_notifications_gets_only_the_stack_s_own" {
  command = plan

  variables {
    adopted_bucket_notifications = { eventbridge = false, lambda_function = [], queue = [], topic = [] }
  }

  assert {
    condition = (
      !aws_s3_bucket_notification.adopted-notification_717F9558.eventbridge &&
      length(aws_s3_bucket_notification.adopted-notification_717F9558.queue) == 0 &&
      alltrue([for rule in aws_s3_bucket_notification.adopted-notification_717F9558.lambda_function : startswith(rule.id, "${var.expected_name_prefix}-thumbnail-")])
    )
    error_message = "Nothing but the stack's own rules when the bucket had none."
  }
}
