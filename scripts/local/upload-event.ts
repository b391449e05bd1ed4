/** Uploading a file to the local S3 and building the event S3 would send for it (make invoke FILE=, make bench). */

import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type SequencerClock, s3EventRecord } from './s3-events';

/** Upload `body`, and return the S3 event (one ObjectCreated:Put record) that upload notifies. */
export async function uploadEvent(
  client: S3Client,
  clock: SequencerClock,
  target: { bucket: string; key: string; region: string; requestId: string },
  body: Buffer,
) {
  const put = await client.send(new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: body, ContentType: 'image/jpeg' }));
  const record = s3EventRecord(
    {
      eventName: 'ObjectCreated:Put',
      bucket: target.bucket,
      key: target.key,
      eTag: (put.ETag ?? '').replace(/"/g, ''),
      size: body.length,
      sequencer: clock.next(),
    },
    { region: target.region, time: new Date(), requestId: target.requestId, configurationId: 'bench' },
  );
  return { Records: [record] };
}
