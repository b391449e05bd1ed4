import { describe, expect, it } from 'vitest';
import { AdoptedBucket } from '../../../infra/constructs/adopted-bucket';
import { synthConstruct } from '../../support/construct';

describe('AdoptedBucket', () => {
  const scope = synthConstruct((s) => new AdoptedBucket(s, 'adopted', { bucketName: 'acme-photo-uploads', region: 'eu-west-1' }));

  it('looks the bucket up and manages nothing: no resource at all', () => {
    expect(scope.json.resource ?? {}).toEqual({});
    const lookups = Object.values(scope.json.data?.['aws_s3_bucket'] ?? {});
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ bucket: 'acme-photo-uploads' });
  });

  it("stops the plan when the bucket is in another region than the stack's, saying what to do", () => {
    const [lookup] = Object.values(scope.json.data?.['aws_s3_bucket'] ?? {});
    expect(lookup?.['lifecycle']).toEqual({
      postcondition: [
        {
          condition: '${self.bucket_region == "eu-west-1"}',
          error_message: expect.stringMatching(/Bucket acme-photo-uploads is not in eu-west-1, the stack's region: .*Nothing was changed/),
        },
      ],
    });
  });
});
