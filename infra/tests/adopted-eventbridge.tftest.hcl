# Mock-plans and mock-applies a stack that adopts an existing bucket with EventBridge delivery (the
# built-in `adopted` environment, or any environment with originals.existingBucket): see
# stack.tftest.hcl for how `make validate` runs these files. The bucket itself is only looked up
# (data.aws_s3_bucket), and EventBridge's switch on it is var.adopted_bucket_eventbridge, which
# `make plan` reads from the bucket.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  adopted_bucket_eventbridge = true
}

run "the_rule_selects_this_bucket_s_uploads_and_nothing_else" {
  command = apply

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.event_pattern).source == ["aws.s3"] &&
      jsondecode(aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.event_pattern).detail.bucket.name == [var.expected_adopted_bucket] &&
      contains(jsondecode(aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.event_pattern)["detail-type"], "Object Created") &&
      contains(jsondecode(aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.event_pattern)["detail-type"], "Object Deleted") == var.expected_delete_rule
    )
    error_message = "The rule must select S3's Object Created (and, when thumbnails follow deletes, Object Deleted) events of the adopted bucket only."
  }

  assert {
    condition = alltrue([for condition in jsondecode(aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.event_pattern).detail.object.key :
      var.expected_adopted_prefix == null
      ? contains([for suffix in var.expected_suffixes : lower(suffix)], lower(condition.suffix["equals-ignore-case"]))
      : startswith(condition.wildcard, "${var.expected_adopted_prefix}*") && anytrue([for suffix in var.expected_suffixes : endswith(lower(condition.wildcard), lower(suffix))])
    ])
    error_message = "Every key condition must be one of the configured suffixes, in any case, under the configured prefix."
  }

  assert {
    condition = (
      aws_cloudwatch_event_target.eventbridge-trigger_target_315D20AA.arn == aws_lambda_function.thumbnail-function_3D83E125.arn &&
      aws_cloudwatch_event_target.eventbridge-trigger_target_315D20AA.rule == aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.name &&
      aws_cloudwatch_event_target.eventbridge-trigger_target_315D20AA.retry_policy[0].maximum_event_age_in_seconds == 86400 &&
      aws_cloudwatch_event_target.eventbridge-trigger_target_315D20AA.dead_letter_config[0].arn == aws_sqs_queue.eventbridge-trigger_dead-letters_queue_02C9A4EB.arn
    )
    error_message = "The rule's target must be the thumbnail function, retried for a day, with a dead-letter queue."
  }

  assert {
    condition = (
      aws_lambda_permission.eventbridge-trigger_permission_2740B112.principal == "events.amazonaws.com" &&
      aws_lambda_permission.eventbridge-trigger_permission_2740B112.source_arn == aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.arn &&
      aws_lambda_permission.eventbridge-trigger_permission_2740B112.function_name == aws_lambda_function.thumbnail-function_3D83E125.function_name
    )
    error_message = "Only EventBridge, for this rule, may invoke the function."
  }

  assert {
    condition = (
      aws_sqs_queue.eventbridge-trigger_dead-letters_queue_02C9A4EB.sqs_managed_sse_enabled &&
      [for s in jsondecode(aws_sqs_queue_policy.eventbridge-trigger_dead-letters_policy_02AAEDA6.policy).Statement :
      s.Condition.ArnEquals["aws:SourceArn"] if s.Effect == "Allow"] == [aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19.arn]
    )
    error_message = "The dead-letter queue must be encrypted, and take messages from this rule only."
  }
}

run "the_function_reads_the_adopted_bucket_and_nothing_manages_it" {
  command = apply

  assert {
    condition = (
      aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables["SOURCE_BUCKET"] == var.expected_adopted_bucket &&
      lookup(aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables, "SOURCE_PREFIX", null) == var.expected_adopted_prefix
    )
    error_message = "The function must serve the adopted bucket, under the configured prefix."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement : s.Resource if s.Sid == "ReadOriginals"] ==
      ["arn:aws:s3:::${var.expected_adopted_bucket}/${coalesce(var.expected_adopted_prefix, "")}*"] &&
      alltrue([for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement :
      !anytrue([for a in flatten([s.Action]) : contains(["s3:PutObject", "s3:DeleteObject", "s3:PutBucketNotification", "s3:PutBucketPolicy"], a)])
      if anytrue([for r in flatten([s.Resource]) : startswith(r, "arn:aws:s3:::${var.expected_adopted_bucket}")])])
    )
    error_message = "The function may read the adopted bucket under its prefix, and never write, delete or reconfigure it."
  }

  assert {
    condition = (
      var.expected_kms_key_arn == null
      ? length([for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement : s if s.Sid == "DecryptOriginalsThroughS3"]) == 0
      : [for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement :
      [s.Action, s.Resource, s.Condition.StringEquals["kms:ViaService"]] if s.Sid == "DecryptOriginalsThroughS3"] ==
      [["kms:Decrypt", var.expected_kms_key_arn, "s3.${var.expected_region}.amazonaws.com"]]
    )
    error_message = "With a KMS key, the function may only decrypt with it through S3 in the stack's region."
  }

  assert {
    condition = alltrue([for bucket in [aws_s3_bucket.image-buckets_thumbnails_bucket_4897A5D1, aws_s3_bucket.backfill_job-bucket_03E1C909] :
    bucket.bucket != var.expected_adopted_bucket])
    error_message = "The stack creates its own thumbnails and job buckets, never the adopted one."
  }
}

run "eventbridge_off_stops_the_plan_before_anything_changes" {
  command = plan

  variables {
    adopted_bucket_eventbridge = false
  }

  expect_failures = [aws_cloudwatch_event_rule.eventbridge-trigger_rule_3F273F19]
}

run "a_bucket_in_another_region_stops_the_plan" {
  command = plan

  override_data {
    target = data.aws_s3_bucket.adopted-originals_lookup_ABAC3467
    values = { bucket_region = "xx-nowhere-1" }
  }

  expect_failures = [data.aws_s3_bucket.adopted-originals_lookup_ABAC3467]
}
