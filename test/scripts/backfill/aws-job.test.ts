import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, createJobInput } from '../../../scripts/backfill/aws-job';

const TARGET = {
  accountId: '111122223333',
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:thumbnails-prod-thumbnail',
  originals: 'thumbnails-prod-originals-abc',
  jobBucket: 'thumbnails-prod-jobs-abc',
  roleArn: 'arn:aws:iam::111122223333:role/thumbnails-prod-backfill',
};

const request = (overrides: Partial<Parameters<typeof createJobInput>[0]> = {}) =>
  createJobInput({
    target: TARGET,
    manifest: { key: 'backfill/manifests/2026-12-02.csv', etag: '"abc123"', inventory: false },
    suffixes: ['.jpg', '.JPG'],
    confirmed: false,
    clientRequestToken: 'token-1',
    description: 'thumbnail backfill',
    ...overrides,
  });

describe('createJobInput', () => {
  it('invokes the function with schema 2.0 and the suffixes, reads the CSV manifest, reports failed tasks under the reports prefix', () => {
    expect(request()).toMatchObject({
      AccountId: '111122223333',
      ConfirmationRequired: true,
      RoleArn: TARGET.roleArn,
      Operation: {
        LambdaInvoke: { FunctionArn: TARGET.functionArn, InvocationSchemaVersion: '2.0', UserArguments: { suffixes: '.jpg,.JPG' } },
      },
      Manifest: {
        Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
        Location: { ObjectArn: 'arn:aws:s3:::thumbnails-prod-jobs-abc/backfill/manifests/2026-12-02.csv', ETag: 'abc123' },
      },
      Report: {
        Bucket: 'arn:aws:s3:::thumbnails-prod-jobs-abc',
        Prefix: 'backfill/reports',
        Format: 'Report_CSV_20180820',
        ReportScope: 'FailedTasksOnly',
      },
    });
  });

  it('takes an S3 Inventory manifest as it is, and starts at once with --yes', () => {
    const input = request({
      manifest: { key: 'backfill/manifests/inventory/o/backfill/2026-12-01T01-00Z/manifest.json', etag: 'e', inventory: true },
      confirmed: true,
    });
    expect(input.Manifest?.Spec).toEqual({ Format: 'S3InventoryReport_CSV_20161130' });
    expect(input.ConfirmationRequired).toBe(false);
  });
});

describe('createJob through the SDK (S3 Control on loopback)', () => {
  let server: ReturnType<typeof createServer>;
  let seen: { method?: string; url?: string; body: string; accountHeader?: string } | undefined;
  let client: S3ControlClient;
  let seenHost: string | undefined;

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => resolve(body));
    });

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      seen = { method: req.method, url: req.url, body: await readBody(req), accountHeader: String(req.headers['x-amz-account-id']) };
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><CreateJobResult><JobId>job-42</JobId></CreateJobResult>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new S3ControlClient({
      endpoint: `http://s3-control.test:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    });
    // The SDK puts the account id in front of the host (<account>.s3-control...): send it to loopback.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { hostname?: string; headers: Record<string, string> };
        seenHost = request.hostname;
        request.hostname = '127.0.0.1';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'toLoopback' },
    );
  });

  afterAll(() => {
    client.destroy();
    server.close();
  });

  it('sends a CreateJob the SDK accepts and returns the job id', async () => {
    expect(await createJob(client, request())).toBe('job-42');
    expect(seen).toMatchObject({ method: 'POST', url: '/v20180820/jobs', accountHeader: '111122223333' });
    expect(seenHost).toBe('111122223333.s3-control.test');
    for (const element of [
      '<ConfirmationRequired>true</ConfirmationRequired>',
      '<InvocationSchemaVersion>2.0</InvocationSchemaVersion>',
      '<Format>S3BatchOperations_CSV_20180820</Format>',
      '<ReportScope>FailedTasksOnly</ReportScope>',
      `<RoleArn>${TARGET.roleArn}</RoleArn>`,
    ])
      expect(seen?.body).toContain(element);
  });
});
