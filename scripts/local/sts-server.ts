/**
 * The one AWS call a `terraform plan` of a new stack makes: STS GetCallerIdentity (the provider's
 * credential check and the stack's aws_caller_identity), answered on loopback in STS's query
 * protocol. With it and throwaway credentials, a real plan runs without an account
 * (AWS_ENDPOINT_URL_STS points the provider here). Every other action is refused.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSts {
  readonly endpoint: string;
  /** The actions asked for, in order. */
  readonly calls: readonly string[];
  close(): Promise<void>;
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function startLocalSts(identity: { accountId: string; arn?: string } = { accountId: '111122223333' }): Promise<LocalSts> {
  const calls: string[] = [];
  const arn = identity.arn ?? `arn:aws:iam::${identity.accountId}:user/local-plan`;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const action = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('Action') ?? '';
      calls.push(action);
      const body =
        action === 'GetCallerIdentity'
          ? `<GetCallerIdentityResponse xmlns="${NAMESPACE}"><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDALOCALPLAN</UserId>` +
            `<Account>${identity.accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
          : `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the local STS answers GetCallerIdentity only, not "${action}"</Message></Error><RequestId>local</RequestId></ErrorResponse>`;
      response.writeHead(action === 'GetCallerIdentity' ? 200 : 400, { 'content-type': 'text/xml' });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
