/** What the stack names things, for the stack itself and for the tools that address them. Pure. */

export const stackName = (environment: string) => `thumbnails-${environment}`;

/** Where local state lives, relative to the stack folder terraform runs in: outside cdktf.out, so `make clean` keeps it. */
export const localStatePath = (stackName: string) => `../../../terraform-state/${stackName}.tfstate`;

/** Resource names derived from the prefix, shared with the tools that address them (`make redrive`). */
export const resourceNames = (prefix: string) => ({
  thumbnailFunction: `${prefix}-thumbnail`,
  calculatorFunction: `${prefix}-calculator`,
  failureQueue: `${prefix}-thumbnail-failures`,
});
