/**
 * The IAM matrix tests' rows (who asks what, and the decision expected) and the mutations that
 * loosen one identity's policies, which its rows must then notice (test/infra/security*.test.ts).
 */
import type { PolicyDocument, PolicyStatement } from '../../infra/policies';
import { type Decision, decide, type Request, type World } from './policy-world';

export interface PolicyRow<Who extends string> {
  readonly who: Who;
  readonly what: string;
  readonly request: Request;
  readonly expected: Decision;
}

/** Rows for one role: `row(what, action, resource, expected, context?)`. */
export const roleRows =
  <Who extends string>(who: Who, principal: string) =>
  (what: string, action: string, resource: string, expected: Decision, context?: Record<string, string>): PolicyRow<Who> => ({
    who,
    what,
    request: { principal, action, resource, ...(context ? { context } : {}) },
    expected,
  });

/** The rows whose decision in `world` is not the one expected (those of `who` only, when given). */
export async function unexpectedRows<Who extends string>(
  world: World,
  rows: readonly PolicyRow<Who>[],
  who?: Who,
): Promise<PolicyRow<Who>[]> {
  const asked = rows.filter((row) => who === undefined || row.who === who);
  const actual = await Promise.all(asked.map((row) => decide(world, row.request)));
  return asked.filter((row, index) => actual[index] !== row.expected);
}

export const mapStatements = (document: PolicyDocument, change: (statement: PolicyStatement) => PolicyStatement): PolicyDocument => ({
  ...document,
  Statement: document.Statement.map(change),
});

/** A copy of `world` with every statement of a role's own policies changed. */
export function withIdentity(world: World, role: string, change: (statement: PolicyStatement) => PolicyStatement): World {
  const next = structuredClone(world);
  next.identityPolicies.set(
    role,
    (next.identityPolicies.get(role) ?? []).map((document) => mapStatements(document, change)),
  );
  return next;
}

/** A copy of `world` with the resource policy on `arn` changed (it must have one). */
export function withResourcePolicy(world: World, arn: string, change: (document: PolicyDocument) => PolicyDocument): World {
  const next = structuredClone(world);
  const current = next.resourcePolicies.get(arn);
  if (!current) throw new Error(`no resource policy on ${arn}`);
  next.resourcePolicies.set(arn, change(current));
  return next;
}

export const withoutCondition = ({ Condition: _condition, ...statement }: PolicyStatement): PolicyStatement => statement;
