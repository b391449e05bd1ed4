import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider, MissingCredentialsError } from '../../../handlers/runtime/lambda-credentials';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_PROFILE',
];

function only(variables: Record<string, string>) {
  for (const name of CREDENTIAL_VARIABLES) vi.stubEnv(name, variables[name] ?? '');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the bundles' credential provider (Lambda's sources only)", () => {
  it("reads the role's credentials from the environment, as Lambda sets them", async () => {
    only({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    expect(await defaultProvider()()).toMatchObject({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('asks a container credentials endpoint when the environment names one', async () => {
    const server = createServer((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          AccessKeyId: 'ASIAFROMHTTP',
          SecretAccessKey: 's',
          Token: 't',
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      only({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds` });
      expect(await defaultProvider()()).toMatchObject({ accessKeyId: 'ASIAFROMHTTP', sessionToken: 't' });
    } finally {
      server.close();
    }
  });

  it('says what it reads when there is nothing to read (never a profile from ~/.aws)', async () => {
    only({ AWS_PROFILE: 'default' });
    await expect(defaultProvider()()).rejects.toThrow(MissingCredentialsError);
    await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
});
