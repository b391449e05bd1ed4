// The local loop as people use it: make local --serve running while other commands run, restarts,
// Ctrl-C, reading why an upload went where it went, making events. Every process here works on a
// temporary CDKTF_OUTDIR and LOCAL_DATA_DIR, never the checkout's.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/paths';
import { NOT_JPEG, photoJpeg } from '../../scripts/lib/samples';
import { lockFile, type RunningInstance } from '../../scripts/local/instance-lock';
import { LOCAL_CREDENTIALS } from '../../scripts/local/s3-server';
import { isolatedMake, withoutCredentials } from '../support/make';
import { tempDir } from '../support/tmp';

const dir = tempDir('local-loop');
const make = isolatedMake(dir);
// As the Makefile runs scripts: one Node.js process, so Ctrl-C reaches the script itself.
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  CDKTF_OUTDIR: make.cdktfOut,
  LOCAL_DATA_DIR: make.localData,
  ...extra,
});

/** A script run as make runs it (after make synth), without re-synthesizing for every call. */
function script(name: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) {
  return spawnSync(NODE_TSX[0], [...NODE_TSX.slice(1), join('scripts', name), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: env(extra),
    timeout: 240_000,
  });
}

/** A long-running script, with its output collected and a way to wait for a line. */
function start(name: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) {
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), join('scripts', name), ...args], { cwd: ROOT, env: env(extra), detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return {
    child,
    exited,
    output: () => output,
    async waitFor(pattern: RegExp, timeoutMs = 120_000): Promise<void> {
      const started = Date.now();
      while (!pattern.test(output)) {
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern} in:\n${output}`);
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

const interrupt = (child: ChildProcess) => {
  // Ctrl-C reaches the whole process group, as in a terminal.
  if (child.pid) process.kill(-child.pid, 'SIGINT');
};

beforeAll(() => {
  const synth = make.run(['synth']);
  if (synth.status !== 0) throw new Error(synth.stderr);
}, 300_000);

describe('make local --serve, with a second one and other commands alongside', () => {
  let serving: ReturnType<typeof start>;
  let instance: RunningInstance;
  let client: S3Client;

  beforeAll(async () => {
    serving = start('local.ts', ['--serve', '--s3-port', '0', '--fresh', '--logs']);
    await serving.waitFor(/Ctrl-C stops it/);
    // The page's address, on a line of its own, loopback only.
    await serving.waitFor(/^page: http:\/\/127\.0\.0\.1:\d+\/$/m);
    instance = JSON.parse(readFileSync(lockFile(make.localData), 'utf8')) as RunningInstance;
    client = new S3Client({
      endpoint: instance.s3Endpoint,
      region: 'ap-northeast-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
  }, 180_000);

  afterAll(async () => {
    client?.destroy();
    if (serving && serving.child.exitCode === null) {
      interrupt(serving.child);
      await serving.exited;
    }
  });

  it('records who runs it and where, for others to find', () => {
    expect(instance).toMatchObject({ command: 'make local --serve', stack: 'thumbnails-dev' });
    expect(() => process.kill(instance.pid, 0)).not.toThrow();
    expect(instance.lambdaEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a second one at once, naming the running one and how to stop it, and changes nothing', () => {
    const queues = join(make.localData, 'queues');
    const before = readdirSync(queues).sort();
    const second = script('local.ts', ['--serve', '--fresh']);
    expect(second.status).not.toBe(0);
    expect(second.stderr).toMatch(new RegExp(`already running .*pid ${instance.pid}`));
    expect(second.stderr).toContain(instance.s3Endpoint);
    expect(second.stderr).toMatch(/Ctrl-C in its terminal, or `kill \d+`/);
    expect(second.stderr).not.toMatch(/EADDRINUSE| {4}at /);
    expect(readdirSync(queues).sort()).toEqual(before);
  });

  it('prints one line per event: the thumbnail written, or the refusal and its reason', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: bucketOf(serving.output(), 'originals'), Key: 'serve/cat.jpg', Body: await photoJpeg(400, 300) }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: bucketOf(serving.output(), 'originals'), Key: 'serve/fake.jpg', Body: await NOT_JPEG.png() }),
    );
    await serving.waitFor(/serve\/cat\.jpg -> serve\/cat-thumbnail\.jpg 100x75/);
    await serving.waitFor(
      /serve\/fake\.jpg -> refused: UnsupportedFormatError: not a JPEG: the bytes look like PNG \(recorded in the failure queue\)/,
    );
  });

  it('says which filter an upload missed when no rule delivers it (suffixes are case-sensitive)', async () => {
    const originals = bucketOf(serving.output(), 'originals');
    await client.send(new PutObjectCommand({ Bucket: originals, Key: 'serve/UPPER.JPG', Body: await photoJpeg(64, 48) }));
    await client.send(new PutObjectCommand({ Bucket: originals, Key: 'serve/photo.png', Body: await NOT_JPEG.png() }));
    await serving.waitFor(/serve\/UPPER\.JPG -> not delivered: .*not suffix "\.jpg" \(suffix filters are case-sensitive\)/);
    await serving.waitFor(/serve\/photo\.png -> not delivered: .*not suffix "\.jpg"$/m);
  });

  it("streams the functions' own log lines with --logs", async () => {
    await serving.waitFor(/ {2}\[thumbnail\] \{.*"message":"thumbnail written"/);
  });

  it('lets make invoke FILE= use it: uploads the file, lets its notification invoke the function once, and says what came of it', async () => {
    const photo = join(dir, 'my photo.jpg');
    writeFileSync(photo, await photoJpeg(300, 200));
    const result = script('invoke.ts', ['--file', photo, '--key', 'invoked/x.jpg']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`using the running local stack \\(pid ${instance.pid}`));
    expect(result.stdout).toMatch(/not invoked a second time here/);
    expect(result.stdout).toMatch(/^invoke: written s3:\/\/\S+\/invoked\/x-thumbnail\.jpg \(\d+ bytes\)/m);
    await serving.waitFor(/invoked\/x\.jpg -> invoked\/x-thumbnail\.jpg/);
    // Processed once: one delivery of the upload in the running stack's output.
    expect(serving.output().match(/ObjectCreated:Put \S+\/invoked\/x\.jpg ->/g)).toHaveLength(1);
  });

  it('make invoke KEY= without FILE= says what is missing instead of invoking the example event', () => {
    const result = script('invoke.ts', ['--key', 'invoked/y.jpg']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/KEY=invoked\/y\.jpg names where FILE= is uploaded: give the file too/);
  });
});

/** A bucket name from make local's banner. */
function bucketOf(output: string, which: 'originals' | 'thumbnails'): string {
  const match = new RegExp(`${which} bucket\\s+(\\S+)`).exec(output);
  if (!match?.[1]) throw new Error(`no ${which} bucket in:\n${output}`);
  return match[1];
}

describe('restarting, and Ctrl-C', () => {
  it('keeps the data across restarts by default, and starts from nothing with --fresh', async () => {
    const first = start('local.ts', ['--serve', '--s3-port', '0', '--fresh']);
    await first.waitFor(/Ctrl-C stops it/);
    const running = JSON.parse(readFileSync(lockFile(make.localData), 'utf8')) as RunningInstance;
    const originals = bucketOf(first.output(), 'originals');
    const thumbnails = bucketOf(first.output(), 'thumbnails');
    const s3 = () =>
      new S3Client({ endpoint: running.s3Endpoint, region: 'ap-northeast-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    let client = s3();
    await client.send(new PutObjectCommand({ Bucket: originals, Key: 'kept/a.jpg', Body: await photoJpeg(200, 100) }));
    await first.waitFor(/kept\/a-thumbnail\.jpg/);
    client.destroy();
    interrupt(first.child);
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/local: stopped; the buckets and queues stay in /);
    expect(existsSync(lockFile(make.localData))).toBe(false);

    const again = start('local.ts', ['--serve', '--s3-port', '0']);
    await again.waitFor(/Ctrl-C stops it/);
    expect(again.output()).toMatch(/kept from earlier runs/);
    client = new S3Client({
      endpoint: (JSON.parse(readFileSync(lockFile(make.localData), 'utf8')) as RunningInstance).s3Endpoint,
      region: 'ap-northeast-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    expect((await client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: 'kept/a-thumbnail.jpg' }))).ContentLength).toBeGreaterThan(
      0,
    );
    client.destroy();
    interrupt(again.child);
    await again.exited;

    const fresh = start('local.ts', ['--serve', '--s3-port', '0', '--fresh']);
    await fresh.waitFor(/Ctrl-C stops it/);
    client = new S3Client({
      endpoint: (JSON.parse(readFileSync(lockFile(make.localData), 'utf8')) as RunningInstance).s3Endpoint,
      region: 'ap-northeast-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    await expect(client.send(new HeadObjectCommand({ Bucket: thumbnails, Key: 'kept/a-thumbnail.jpg' }))).rejects.toThrow();
    client.destroy();
    interrupt(fresh.child);
    await fresh.exited;
  }, 300_000);

  it('removes its temporary folders and its instance file when Ctrl-C stops a plain make local', async () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const run = start('local.ts', ['--count', '40'], { TMPDIR: tmp });
    await run.waitFor(/local: S3 /);
    expect(readdirSync(tmp).filter((name) => name.startsWith('thumbnail-pipeline-functions-'))).toHaveLength(1);
    interrupt(run.child);
    expect(await run.exited).not.toBe(0);
    expect(readdirSync(tmp).filter((name) => name.startsWith('thumbnail-pipeline-functions-'))).toEqual([]);
    expect(existsSync(lockFile(make.localData))).toBe(false);
  }, 180_000);
});

describe('truthful summaries and exit codes', () => {
  it('make invoke exits non-zero when a record failed, and says why on its own line', async () => {
    const fake = join(dir, 'fake.jpg');
    writeFileSync(fake, await NOT_JPEG.png());
    const result = script('invoke.ts', ['--file', fake, '--key', 'invoked/fake.jpg']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^invoke: refused invoked\/fake\.jpg: UnsupportedFormatError: not a JPEG: the bytes look like PNG$/m);
  });

  it('make redrive LOCAL=1 counts what failed again as failed, and exits non-zero', () => {
    const dryRun = script('redrive.ts', ['--local', '--dry-run']);
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toMatch(/waiting in the failure queue: [1-9]/);
    const result = script('redrive.ts', ['--local']);
    expect(result.stdout).toMatch(/0 processed now, [1-9]\d* failed again and recorded again/);
    expect(result.status).toBe(1);
    // Still waiting: they were recorded again.
    expect(script('redrive.ts', ['--local', '--dry-run']).stdout).toMatch(/waiting in the failure queue: [1-9]/);
  });
});

describe('make event', () => {
  it.each([
    ['put', 'ObjectCreated:Put'],
    ['delete', 'ObjectRemoved:Delete'],
  ])('writes an S3 %s event for a bucket and key, the key encoded as S3 encodes it', (type, eventName) => {
    const result = make.run(['event', `TYPE=${type}`, 'KEY=photos/my cat+1.jpg', 'BUCKET=my-bucket']);
    expect(result.status).toBe(0);
    const record = JSON.parse(result.stdout).Records[0];
    expect(record).toMatchObject({ eventName, s3: { bucket: { name: 'my-bucket' }, object: { key: 'photos/my+cat%2B1.jpg' } } });
  });

  it.each([
    ['1.0', { s3BucketArn: 'arn:aws:s3:::my-bucket' }],
    ['2.0', { s3Bucket: 'my-bucket' }],
  ])('writes an S3 Batch Operations event, schema %s', (schema, bucket) => {
    const result = make.run(['event', 'TYPE=batch', `SCHEMA=${schema}`, 'KEY=photos/a b.jpg', 'BUCKET=my-bucket']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ invocationSchemaVersion: schema, tasks: [{ s3Key: 'photos/a+b.jpg', ...bucket }] });
  });
});

describe('messages that name the real problem', () => {
  it('make local ENV=staging: an unknown environment, not a missing file', () => {
    const result = make.run(['local', 'ENV=staging']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unknown environment "staging": use one of dev, prod, localstack/);
    expect(result.stderr).not.toMatch(/make synth/);
  });

  it('a broken environments.json: its error once, not buried under the list of targets', () => {
    const broken = join(dir, 'broken-environments.json');
    writeFileSync(broken, '{ "dev": { "thumbnail": { "memoryMB": 1024, } } }');
    const result = make.run(['synth'], { ...process.env, ENVIRONMENTS_FILE: broken });
    expect(result.status).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('broken-environments.json');
    expect(output).not.toMatch(/list the targets|make help/);
  });

  it('a misspelled environment is named as a likely typo, and its stack folder goes once the name is fixed (unless it holds state)', () => {
    const file = join(dir, 'typo-environments.json');
    writeFileSync(file, JSON.stringify({ devv: { thumbnail: { memoryMB: 2048 } } }));
    const typo = make.run(['synth'], { ...process.env, ENVIRONMENTS_FILE: file });
    expect(typo.status).toBe(0);
    expect(typo.stderr).toMatch(/names an environment "devv": a typo of "dev"\? It makes a stack of its own, thumbnails-devv/);
    expect(existsSync(make.stackDir('devv'))).toBe(true);
    // A stack folder with state is kept, and said so; one without is removed.
    mkdirSync(join(make.cdktfOut, 'stacks', 'thumbnails-deployed'), { recursive: true });
    writeFileSync(join(make.cdktfOut, 'stacks', 'thumbnails-deployed', 'terraform.tfstate'), '{}');
    const fixed = make.run(['synth']);
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toMatch(/removed .*thumbnails-devv: no environment of that name any more/);
    expect(existsSync(make.stackDir('devv'))).toBe(false);
    expect(fixed.stderr).toMatch(/thumbnails-deployed belongs to no environment now, and holds terraform state: kept/);
    expect(existsSync(join(make.cdktfOut, 'stacks', 'thumbnails-deployed', 'terraform.tfstate'))).toBe(true);
  });

  it('make policies ACCOUNT_ID=12345: a malformed account id, not a missing one', () => {
    const result = make.run(['policies', 'ACCOUNT_ID=12345'], withoutCredentials(dir));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/ACCOUNT_ID "12345" must be a 12-digit AWS account id/);
  });

  it('make invoke FILE=missing.jpg: the file that does not exist', () => {
    const result = script('invoke.ts', ['--file', 'missing.jpg']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/file missing\.jpg does not exist/);
  });
});
