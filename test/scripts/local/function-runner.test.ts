import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orientedJpeg } from '../../../scripts/lib/samples';
import { createZip } from '../../../scripts/lib/zip';
import { FunctionRunner, type FunctionSpec } from '../../../scripts/local/function-runner';
import { extractLambdaLayout, type LambdaLayout } from '../../../scripts/local/layout';
import { LOCAL_CREDENTIALS, type LocalS3, startLocalS3 } from '../../../scripts/local/s3-server';
import { artifacts } from '../../support/artifacts';
import { s3Event } from '../../support/events';
import { tempDir } from '../../support/tmp';

const ORIGINALS = 'local-originals';
const THUMBNAILS = 'local-thumbnails';

let s3: LocalS3;
let client: S3Client;
const dir = tempDir('packaged');
const runners: FunctionRunner[] = [];

function runner(layout: LambdaLayout, overrides: Partial<FunctionSpec> = {}) {
  const spec: FunctionSpec = {
    name: 'thumbnail',
    handler: 'index.handler',
    layout,
    environment: { SOURCE_BUCKET: ORIGINALS, THUMBNAIL_BUCKET: THUMBNAILS },
    platformEnvironment: {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    },
    memoryMB: 1024,
    timeoutSeconds: 30,
    region: 'eu-west-1',
    accountId: '123456789012',
    maxConcurrency: 1,
    ...overrides,
  };
  const created = new FunctionRunner(spec);
  runners.push(created);
  return created;
}

beforeAll(async () => {
  s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: [ORIGINALS, THUMBNAILS] });
  client = s3.client('eu-west-1');
});

afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  await s3.close();
});

describe('the packaged thumbnail function in a Lambda-like layout', () => {
  it('loads sharp from the layer and thumbnails a JPEG through the real S3 server', async () => {
    const layout = extractLambdaLayout(artifacts.functionZip('thumbnail'), [artifacts.layerZip()], join(dir, 'with-layer'));
    const key = 'uploads/my phone photo.jpg';
    const put = await client.send(new PutObjectCommand({ Bucket: ORIGINALS, Key: key, Body: await orientedJpeg(900, 1200, 6) }));
    const report = await runner(layout).invoke(s3Event({ bucket: ORIGINALS, key, eTag: put.ETag?.replace(/"/g, ''), sequencer: '01' }));

    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.initMs).toBeGreaterThan(0);
    expect(report.result).toMatchObject({ written: 1, failed: 0 });
    const thumbnail = await client.send(new GetObjectCommand({ Bucket: THUMBNAILS, Key: 'uploads/my phone photo-thumbnail.jpg' }));
    expect(thumbnail.ContentType).toBe('image/jpeg');
    expect(thumbnail.Metadata).toMatchObject({ 'source-etag': put.ETag?.replace(/"/g, '') });
    const metadata = await sharp(await thumbnail.Body!.transformToByteArray()).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 100, height: 133 });
    expect(report.logs.some((line) => line.includes('"thumbnail written"'))).toBe(true);
  });

  it('names its functions in stack traces (esbuild keepNames), minified as it is', async () => {
    const layout = extractLambdaLayout(artifacts.functionZip('thumbnail'), [artifacts.layerZip()], join(dir, 'traces'));
    // Nothing listens on port 9: S3 fails, and the transient failure is thrown for Lambda to retry.
    const failing = runner(layout, {
      name: 'traces',
      platformEnvironment: {
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
      },
    });
    const report = await failing.invoke(s3Event({ bucket: ORIGINALS, key: 'x.jpg', eTag: 'e1' }));
    expect(report.error?.errorType).toBe('TransientStorageError');
    expect(report.error?.trace?.join('\n')).toMatch(/at processEvent \(/);
    expect(report.error?.trace?.join('\n')).toMatch(/at async (Object\.)?handler \(/);
  });

  it('fails at init with "Cannot find module \'sharp\'" when the layer is missing', async () => {
    const layout = extractLambdaLayout(artifacts.functionZip('thumbnail'), [], join(dir, 'without-layer'));
    const report = await runner(layout).invoke(s3Event({ bucket: ORIGINALS, key: 'x.jpg' }));
    expect(report.ok).toBe(false);
    expect(report.error?.errorType).toBe('Runtime.ImportModuleError');
    expect(report.error?.errorMessage).toMatch(/Cannot find module 'sharp'/);
  });

  it('fails at init with the name of a missing variable', async () => {
    const layout = extractLambdaLayout(artifacts.functionZip('thumbnail'), [artifacts.layerZip()], join(dir, 'bad-env'));
    const report = await runner(layout, { environment: { SOURCE_BUCKET: ORIGINALS } }).invoke(s3Event({ bucket: ORIGINALS, key: 'x.jpg' }));
    expect(report.error?.errorMessage).toMatch(/THUMBNAIL_BUCKET: is required/);
  });

  it('resolves layer packages from ES modules too, as nodejs18.x and later do', async () => {
    const zip = join(dir, 'esm.zip');
    const source = "import sharp from 'sharp';\nexport const handler = async () => ({ vips: sharp.versions.vips });\n";
    writeFileSync(zip, createZip([{ path: 'index.mjs', data: Buffer.from(source) }]));
    const layout = extractLambdaLayout(zip, [artifacts.layerZip()], join(dir, 'esm'));
    const report = await runner(layout, { name: 'esm-probe' }).invoke({});
    expect(report.error).toBeUndefined();
    expect(report.result).toMatchObject({ vips: expect.stringMatching(/^\d+\.\d+/) });
  });
});

describe('FunctionRunner limits', () => {
  function probe(name: string, source: string) {
    const zip = join(dir, `${name}.zip`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(zip, createZip([{ path: 'index.mjs', data: Buffer.from(source) }]));
    return extractLambdaLayout(zip, [], join(dir, name));
  }

  it('kills an invocation that runs past the timeout', async () => {
    const layout = probe('slow', 'export const handler = () => new Promise((resolve) => setTimeout(resolve, 10_000));\n');
    const report = await runner(layout, { name: 'slow', timeoutSeconds: 1 }).invoke({});
    expect(report.error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
  });

  it('kills an invocation that uses more memory than configured', async () => {
    const layout = probe(
      'hungry',
      'export const handler = async () => { const keep = []; for (let i = 0; i < 40; i++) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 20)); } return keep.length; };\n',
    );
    const report = await runner(layout, { name: 'hungry', memoryMB: 256 }).invoke({});
    expect(report.error?.errorType).toBe('Runtime.OutOfMemory');
  });

  it('reuses a warm environment: only the first invocation has an init duration', async () => {
    const layout = probe('counter', 'let count = 0;\nexport const handler = async () => ++count;\n');
    const counter = runner(layout, { name: 'counter' });
    const first = await counter.invoke({});
    const second = await counter.invoke({});
    expect([first.result, second.result]).toEqual([1, 2]);
    expect(first.initMs).toBeDefined();
    expect(second.initMs).toBeUndefined();
  });

  it('reports a thrown error with its type and message', async () => {
    const layout = probe('thrower', "export const handler = async () => { throw new RangeError('nope'); };\n");
    const report = await runner(layout, { name: 'thrower' }).invoke({});
    expect(report.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'nope' });
  });
});
