// make local, invoke, redrive and plan-summary as a person runs them, in the checkout, with what they write moved to a temporary folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedMake, withoutCredentials } from '../support/make';
import { tempDir } from '../support/tmp';

const dir = tempDir('make');
const isolated = isolatedMake(dir);
const make = (...args: string[]) => isolated.run(args);

describe('make local', () => {
  it('uploads the samples, prints the table, and exits 0 when every upload ended where it should', () => {
    const result = make('local', 'ARGS=--duplicate-rate 0.3');
    expect(result.stderr).not.toMatch(/did not end where they should/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/samples\/写真\/東京タワー-thumbnail\.jpg/);
    expect(result.stdout).toMatch(/samples\/portrait phone \(EXIF 6\)-thumbnail\.jpg\s*│\s*100x133/);
    expect(result.stdout).toMatch(/refused: UnsupportedFormatError/);
    expect(result.stdout).toMatch(/10 thumbnails, 2 refused and recorded/);
  });

  it('leaves the two refused samples in the failure queue, which make redrive LOCAL=1 --dry-run lists', () => {
    const result = make('redrive', 'LOCAL=1', 'ARGS=--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/waiting in the failure queue: 2/);
    expect(result.stdout).toMatch(/UnsupportedFormatError \(PermanentFailure\): samples\/not-really\.jpg/);
    expect(result.stdout).toMatch(/CorruptImageError \(PermanentFailure\): samples\/broken\.jpg/);
  });
});

describe('make backfill', () => {
  it("LOCAL=1 backfills what make local left, with Batch's contract: the refused samples are PermanentFailure, the rest already current", () => {
    const result = make('backfill', 'LOCAL=1');
    // The refused samples are results (recorded in the failure queue), not a failed backfill: it exits 0, saying so.
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/12 task\(s\): 10 succeeded, 2 failed/);
    expect(result.stdout).toMatch(/2 object\(s\) refused by the function for good .*nothing to re-run for them/);
    expect(result.stdout).toMatch(/10 {2}Succeeded {2}skipped/);
    expect(result.stdout).toMatch(/PermanentFailure {2}UnsupportedFormatError/);
    const job = /make backfill-status LOCAL=1 JOB=(\S+)\)/.exec(result.stdout)?.[1];
    expect(job).toBeDefined();
    const status = make('backfill-status', 'LOCAL=1', `JOB=${job}`);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/report \(every task\): 12 task\(s\), 10 succeeded, 2 failed/);
  });

  it('LOCAL=1 ARGS=--dry-run counts and estimates, and invokes nothing', () => {
    const result = make('backfill', 'LOCAL=1', 'ARGS=--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/12 object\(s\) in thumbnails-dev-originals-local ending in \.jpg/);
    expect(result.stdout).toMatch(/estimated cost of 12 objects .*: ~\$0\.25/);
    expect(result.stdout).toMatch(/dry run: nothing invoked/);
  });

  it('on AWS, stops before doing anything without credentials', () => {
    const result = isolated.run(['backfill', 'ENV=prod'], withoutCredentials(dir));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no AWS credentials found/);
  });

  it('backfill-status asks for JOB', () => {
    const result = make('backfill-status');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/usage: make backfill-status JOB=/);
  });
});

describe('make invoke', () => {
  it('runs the calculator with the example event and prints {"result": 5}', () => {
    const result = make('invoke', 'FUNCTION=calculator', 'EVENT=events/calculator.json');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/"result": 5/);
    expect(result.stdout).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\tMemory Size: 128 MB/);
  });

  it('exits 1 and prints the error for y = 0', () => {
    const result = make('invoke', 'FUNCTION=calculator', 'EVENT=events/calculator-divide-by-zero.json');
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/"errorType": "DivisionByZeroError"/);
  });

  it('runs the thumbnail function with the "Amazon S3 Put" example event, filling in the local bucket', () => {
    const result = make('invoke', 'EVENT=events/s3-put.json');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/"thumbnail written"/);
    expect(result.stdout).toMatch(/samples\/landscape-thumbnail\.jpg/);
  });

  it('says a skip on its own line: an event for an object that is not in the bucket', () => {
    const event = join(dir, 'missing-object.json');
    const put = JSON.parse(readFileSync('events/s3-put.json', 'utf8'));
    put.Records[0].s3.object.key = 'nothing/here.jpg';
    writeFileSync(event, JSON.stringify(put));
    const result = make('invoke', `EVENT=${event}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^invoke: skipped nothing\/here\.jpg: /m);
  });

  it('says so when the event file does not exist', () => {
    const result = make('invoke', 'EVENT=events/nope.json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/event file events\/nope\.json does not exist/);
  });
});

describe('make plan-summary', () => {
  it('prints the Markdown summary of a plan JSON', () => {
    const file = join(dir, 'plan.json');
    writeFileSync(
      file,
      JSON.stringify({
        format_version: '1.2',
        resource_changes: [
          {
            address: 'aws_s3_bucket.b',
            mode: 'managed',
            type: 'aws_s3_bucket',
            name: 'b',
            change: { actions: ['delete'], before: {}, after: null },
          },
        ],
      }),
    );
    const result = make('plan-summary', `PLAN=${file}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/> \[!WARNING\]/);
    expect(result.stdout).toMatch(/0 to create, 0 to update, 0 to replace, 1 to delete/);
  });

  it.each([
    ['a missing file', 'nope.json', /does not exist/],
    ['a file that is not a plan', 'package.json', /not a Terraform plan/],
  ])('says so for %s', (_, plan, message) => {
    const result = make('plan-summary', `PLAN=${plan}`);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('asks for PLAN when it is missing', () => {
    const result = make('plan-summary');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/usage: make plan-summary PLAN=/);
  });
});
