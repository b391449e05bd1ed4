# Mock-applies the backfill resources of a synthesized stack (when backfills are enabled): the role
# S3 Batch Operations assumes and the job bucket it reads manifests from and writes reports to.
# `make validate` runs it beside stack.tftest.hcl; a stack without these resources skips it.

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

override_resource {
  target = aws_s3_bucket.backfill_job-bucket_03E1C909
  values = { arn = "arn:aws:s3:::jobs-mock", bucket = "jobs-mock", id = "jobs-mock" }
}

run "only_s3_batch_operations_of_this_account_runs_backfills" {
  command = apply

  assert {
    condition = (
      jsondecode(aws_iam_role.backfill_role_44687D47.assume_role_policy).Statement[0].Principal.Service == "batchoperations.s3.amazonaws.com" &&
      jsondecode(aws_iam_role.backfill_role_44687D47.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333" &&
      length(jsondecode(aws_iam_role.backfill_role_44687D47.assume_role_policy).Statement) == 1
    )
    error_message = "Only S3 Batch Operations, for this account, may assume the backfill role."
  }

  assert {
    condition = (
      [for s in jsondecode(aws_iam_role_policy.backfill_policy_6648F038.policy).Statement : s.Sid] == ["InvokeThumbnailFunction", "ReadManifests", "WriteReports", "LocateJobBucket"] &&
      [for s in jsondecode(aws_iam_role_policy.backfill_policy_6648F038.policy).Statement : s.Resource if s.Sid == "ReadManifests"] == ["arn:aws:s3:::jobs-mock/backfill/manifests/*"] &&
      [for s in jsondecode(aws_iam_role_policy.backfill_policy_6648F038.policy).Statement : s.Resource if s.Sid == "WriteReports"] == ["arn:aws:s3:::jobs-mock/backfill/reports/*"] &&
      [for s in jsondecode(aws_iam_role_policy.backfill_policy_6648F038.policy).Statement : s.Action if s.Sid == "InvokeThumbnailFunction"] == ["lambda:InvokeFunction"]
    )
    error_message = "The backfill role may invoke the function, read manifests and write reports under their prefixes, nothing else."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.backfill_job-bucket_public-access-block_A500703D.block_public_acls &&
      aws_s3_bucket_public_access_block.backfill_job-bucket_public-access-block_A500703D.ignore_public_acls &&
      aws_s3_bucket_public_access_block.backfill_job-bucket_public-access-block_A500703D.restrict_public_buckets &&
      aws_s3_bucket_public_access_block.backfill_job-bucket_public-access-block_A500703D.block_public_policy &&
      aws_s3_bucket_lifecycle_configuration.backfill_job-bucket-expiry_9F2517FB.rule[0].expiration[0].days > 0
    )
    error_message = "The job bucket must be private, and its backfill files must expire."
  }
}
