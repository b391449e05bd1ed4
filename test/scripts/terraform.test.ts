import { describe, expect, it } from 'vitest';
import { checkBinary, PrerequisiteError } from '../../scripts/terraform';

describe('checkBinary', () => {
  it('explains how to get terraform or OpenTofu when the binary is missing', () => {
    expect(() => checkBinary('no-such-terraform-binary')).toThrow(PrerequisiteError);
    expect(() => checkBinary('no-such-terraform-binary')).toThrow(/Install Terraform >= 1.10 .* or OpenTofu .* TF=tofu/);
  });
});
