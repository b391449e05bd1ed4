# The AWS provider's mocks, shared by every test file of infra/tests and make cdktn-check's migration
# plan: `mock_provider "aws" { source = "./tests/mocks/aws" }` (Terraform >= 1.7).
# The provider validates ARNs it is given; mocked ones must look like ARNs.

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
# An adopted bucket as S3 describes it: in the stack's region (mock values cannot read variables,
# so `make validate` writes the expected values where @expected_...@ stands).
mock_data "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::@expected_adopted_bucket@", bucket_region = "@expected_region@" }
}
