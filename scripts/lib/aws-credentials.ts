/** Whether this machine has AWS credentials, by the SDK's default chain (what terraform and the CLI read too). */

import { defaultProvider } from '@aws-sdk/credential-provider-node';

export class MissingCredentialsError extends Error {
  constructor() {
    super(
      'no AWS credentials found. Set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and ' +
        'AWS_SECRET_ACCESS_KEY, or run where a role provides them (CI with OIDC, EC2, ECS). Nothing was changed.',
    );
    this.name = 'MissingCredentialsError';
  }
}

export async function checkCredentials(timeoutMs = 5_000): Promise<void> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref());
  try {
    await Promise.race([defaultProvider()(), timeout]);
  } catch {
    throw new MissingCredentialsError();
  }
}
