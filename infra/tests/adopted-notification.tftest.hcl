# Mock-plans a stack that adopts an existing bucket with S3 notification delivery (opt-in): the
# bucket's notification configuration, read by `make plan` into var.adopted_bucket_notifications,
# is carried over verbatim beside the stack's own. Plans only: the resource refuses destruction
# (make destroy writes back what the bucket had first), so nothing is applied here to tear down.
# See stack.tftest.hcl for how `make validate` runs these files.

mock_provider "aws" {
  source = "./tests/mocks/aws"
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
