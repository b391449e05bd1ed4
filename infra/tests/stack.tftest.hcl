# Mock-applies a synthesized stack (cdktf.out/stacks/thumbnails-<env>) with the AWS provider's real
# schema and no cloud: `make validate` copies this file next to each stack's cdk.tf.json and runs
# `terraform test`, passing the environment's expected values as variables (var.expected_*).
# Addresses are the construct paths' logical ids: one changing here means a resource would be
# replaced on the next apply, which a reviewer should see.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

override_resource {
  target = aws_s3_bucket.image-buckets_originals_bucket_F0E31474
  values = { arn = "arn:aws:s3:::originals-mock", bucket = "originals-mock", id = "originals-mock" }
}

override_resource {
  target = aws_s3_bucket.image-buckets_thumbnails_bucket_4897A5D1
  values = { arn = "arn:aws:s3:::thumbnails-mock", bucket = "thumbnails-mock", id = "thumbnails-mock" }
}

override_resource {
  target = aws_sqs_queue.failure-queue_3729AB57
  values = {
    arn = "arn:aws:sqs:eu-west-1:111122223333:failures-mock"
    url = "https://sqs.eu-west-1.amazonaws.com/111122223333/failures-mock"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.thumbnail-logs_log-group_7F9AB1F4
  values = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/thumbnail-mock" }
}

run "buckets_are_private_encrypted_and_owner_enforced" {
  command = apply

  assert {
    condition = alltrue([for block in [
      aws_s3_bucket_public_access_block.image-buckets_originals_public-access-block_BCC8CF14,
      aws_s3_bucket_public_access_block.image-buckets_thumbnails_public-access-block_43248D2A,
    ] : block.block_public_acls && block.block_public_policy && block.ignore_public_acls && block.restrict_public_buckets])
    error_message = "Both buckets must block every kind of public access."
  }

  assert {
    condition = alltrue([for encryption in [
      aws_s3_bucket_server_side_encryption_configuration.image-buckets_originals_encryption_C6527A0B,
      aws_s3_bucket_server_side_encryption_configuration.image-buckets_thumbnails_encryption_AF0772BC,
    ] : one(one(encryption.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"])
    error_message = "Both buckets must encrypt by default."
  }

  assert {
    condition = alltrue([for ownership in [
      aws_s3_bucket_ownership_controls.image-buckets_originals_ownership_A475A323,
      aws_s3_bucket_ownership_controls.image-buckets_thumbnails_ownership_20A39244,
    ] : one(ownership.rule).object_ownership == "BucketOwnerEnforced"])
    error_message = "ACLs must be disabled on both buckets."
  }

  assert {
    condition = alltrue([for statement in jsondecode(aws_s3_bucket_policy.image-buckets_thumbnails-policy_0D57E317.policy).Statement :
    statement.Effect == "Deny"])
    error_message = "The thumbnails bucket policy may only deny (TLS only, writes only by the function's role)."
  }
}

run "only_s3_for_the_originals_bucket_of_this_account_invokes_the_function" {
  command = apply

  assert {
    condition = (
      aws_lambda_permission.upload-trigger_permission_CB180651.principal == "s3.amazonaws.com" &&
      aws_lambda_permission.upload-trigger_permission_CB180651.source_arn == "arn:aws:s3:::originals-mock" &&
      aws_lambda_permission.upload-trigger_permission_CB180651.source_account == "111122223333"
    )
    error_message = "The permission must name S3, the originals bucket and this account."
  }

  assert {
    condition = (
      aws_s3_bucket_notification.upload-trigger_notification_4A6A156C.bucket == "originals-mock" &&
      sort(distinct([for rule in aws_s3_bucket_notification.upload-trigger_notification_4A6A156C.lambda_function : rule.filter_suffix])) == sort(var.expected_suffixes)
    )
    error_message = "The notification must be on the originals bucket, filtered by the configured suffixes."
  }

  assert {
    condition = (
      contains(flatten([for rule in aws_s3_bucket_notification.upload-trigger_notification_4A6A156C.lambda_function : rule.events]), "s3:ObjectRemoved:*")
      == var.expected_delete_rule
    )
    error_message = "Deletes must be delivered exactly when thumbnails follow deleted originals."
  }
}

run "the_thumbnail_function_is_configured_as_the_environment_says" {
  command = apply

  assert {
    condition = (
      aws_lambda_function.thumbnail-function_3D83E125.runtime == var.expected_runtime &&
      one(aws_lambda_function.thumbnail-function_3D83E125.architectures) == var.expected_architecture &&
      aws_lambda_function.thumbnail-function_3D83E125.memory_size == var.expected_memory_mb &&
      aws_lambda_function.thumbnail-function_3D83E125.timeout == var.expected_timeout_seconds
    )
    error_message = "Runtime, architecture, memory or timeout differ from the environment's configuration."
  }

  assert {
    condition     = one(aws_lambda_function.thumbnail-function_3D83E125.layers) == aws_lambda_layer_version.sharp-layer_52B779DD.arn
    error_message = "The function must use the stack's sharp layer, and only it."
  }

  assert {
    condition = (
      contains(aws_lambda_layer_version.sharp-layer_52B779DD.compatible_runtimes, var.expected_runtime) &&
      one(aws_lambda_layer_version.sharp-layer_52B779DD.compatible_architectures) == var.expected_architecture
    )
    error_message = "The layer must be built for the function's runtime and architecture."
  }

  assert {
    condition = (
      aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables["SOURCE_BUCKET"] == "originals-mock" &&
      aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables["THUMBNAIL_BUCKET"] == "thumbnails-mock" &&
      aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables["RENDITIONS"] == var.expected_renditions &&
      aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables["FAILURE_QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/111122223333/failures-mock" &&
      aws_lambda_function.thumbnail-function_3D83E125.environment[0].variables["EXPECTED_BUCKET_OWNER"] == "111122223333"
    )
    error_message = "The function's environment must name the stack's buckets, queue, account and renditions."
  }

  assert {
    condition = (
      aws_lambda_function.thumbnail-function_3D83E125.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.thumbnail-function_3D83E125.logging_config[0].log_group == aws_cloudwatch_log_group.thumbnail-logs_log-group_7F9AB1F4.name &&
      aws_cloudwatch_log_group.thumbnail-logs_log-group_7F9AB1F4.retention_in_days == var.expected_log_retention_days
    )
    error_message = "The function must log JSON to its own log group, kept as long as configured."
  }

  assert {
    condition     = aws_lambda_function.thumbnail-function_3D83E125.reserved_concurrent_executions == var.expected_reserved_concurrency
    error_message = "Reserved concurrency differs from the environment's configuration."
  }
}

run "failures_go_to_the_queue_and_loops_are_stopped" {
  command = apply

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.thumbnail-async_config_9C7C10A3.maximum_retry_attempts == var.expected_max_retries &&
      aws_lambda_function_event_invoke_config.thumbnail-async_config_9C7C10A3.destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-1:111122223333:failures-mock"
    )
    error_message = "Retries exhausted must go to the failure queue."
  }

  assert {
    condition = (
      aws_sqs_queue.failure-queue_3729AB57.sqs_managed_sse_enabled &&
      aws_sqs_queue.failure-queue_3729AB57.message_retention_seconds == 1209600
    )
    error_message = "The failure queue must be encrypted and keep records for two weeks."
  }

  assert {
    condition = alltrue([for recursion in [
      aws_lambda_function_recursion_config.thumbnail-function_recursion_7F53DC54,
      aws_lambda_function_recursion_config.calculator_function_recursion_F2EA08B7,
    ] : recursion.recursive_loop == "Terminate"])
    error_message = "Lambda must stop both functions if they loop."
  }
}

run "the_roles_may_do_what_the_functions_need_and_no_more" {
  command = apply

  assert {
    condition = (
      jsondecode(aws_iam_role.thumbnail-role_076780B5.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com" &&
      jsondecode(aws_iam_role.thumbnail-role_076780B5.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333"
    )
    error_message = "Only Lambda, for this account, may assume the function's role."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement : s.Resource if s.Sid == "ReadOriginals"] == ["arn:aws:s3:::originals-mock/*"] &&
      [for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement : s.Resource if s.Sid == "ListOriginals"] == ["arn:aws:s3:::originals-mock"] &&
      alltrue([for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement :
      alltrue([for r in flatten([s.Resource]) : startswith(r, "arn:aws:s3:::thumbnails-mock/*") && strcontains(r, "thumbnail")]) if contains(["WriteThumbnails", "ReadThumbnailProvenance", "DeleteThumbnailsOfDeletedOriginals"], s.Sid)])
    )
    error_message = "The function may read and list originals, and touch only thumbnail-named keys in the thumbnails bucket."
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.thumbnail-role_policy_65E5C2CA.policy).Statement :
    s.Effect == "Allow" && !contains(flatten([s.Action]), "*") && !contains(flatten([s.Resource]), "*")])
    error_message = "No wildcard action or resource in the function's policy."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.calculator_role_policy_50570336.policy).Statement : s.Sid] == ["WriteOwnLogs"]
    )
    error_message = "The calculator may only write its own logs."
  }
}
