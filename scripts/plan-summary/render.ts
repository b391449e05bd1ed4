/**
 * A Terraform plan as Markdown for a pull request: counts, destructive changes first and loudly,
 * IAM policy changes as readable diffs, outputs, sensitive values masked. Pure.
 */

import { structuredPatch } from 'diff';
import { isPlainObject as isObject } from '../../lib/json';
import { ACTION, ACTION_ORDER, type Action, countChanges, type Plan, type ResourceChange, readPlan } from './plan';
import { parsePolicy, present, SENSITIVE, short, stableJson, UNKNOWN } from './values';

export interface RenderOptions {
  readonly title?: string;
  /** Shown under the title, as a note: how the plan was made, when that matters to a reviewer. */
  readonly note?: readonly string[];
}

/** The resource types whose deletion loses data nobody can recreate. */
export const DATA_BEARING_TYPES = new Set([
  'aws_s3_bucket',
  'aws_sqs_queue',
  'aws_dynamodb_table',
  'aws_db_instance',
  'aws_efs_file_system',
]);

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const LABEL: Record<Action, string> = {
  replace: '**replace**',
  delete: '**delete**',
  forget: 'forget',
  create: 'create',
  update: 'update',
  read: 'read',
  'no-op': 'no change',
};

function why(resource: ResourceChange): string {
  const parts: string[] = [];
  if (resource.reason) parts.push(resource.reason.replace(/_/g, ' '));
  const paths = (resource.change.replace_paths ?? []).map((path) => (Array.isArray(path) ? path.join('.') : String(path)));
  if (paths.length > 0) parts.push(`forced by ${paths.map((path) => `\`${path}\``).join(', ')}`);
  if (resource.previousAddress) parts.push(`moved from \`${resource.previousAddress}\``);
  return parts.join('; ');
}

/** Attribute names holding IAM policy documents in this resource's before or after. */
function policyAttributes(resource: ResourceChange): string[] {
  const names = new Set<string>();
  for (const side of [resource.change.before, resource.change.after]) {
    if (!isObject(side)) continue;
    for (const [name, value] of Object.entries(side)) if (parsePolicy(value)) names.add(name);
  }
  const unknown = resource.change.after_unknown;
  if (isObject(unknown))
    for (const name of ['policy', 'assume_role_policy'])
      if (unknown[name] === true && isObject(resource.change.before) && parsePolicy(resource.change.before[name])) names.add(name);
  return [...names].sort();
}

/** One side of a policy attribute, as text to diff: pretty JSON, or what stands in for it. */
function policyText(side: unknown, name: string, sensitive: unknown, unknown: unknown): string {
  if (isObject(sensitive) && sensitive[name] === true) return `${SENSITIVE}\n`;
  if (isObject(unknown) && unknown[name] === true) return `${UNKNOWN}\n`;
  if (!isObject(side) || side[name] === undefined || side[name] === null) return '';
  const policy = parsePolicy(side[name]);
  return policy ? `${stableJson(policy)}\n` : `${String(side[name])}\n`;
}

/** A unified diff without file headers. */
export function unifiedDiff(before: string, after: string): string {
  const patch = structuredPatch('before', 'after', before, after, '', '', { context: 3 });
  return patch.hunks
    .map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join('\n'))
    .join('\n');
}

function policyDiffs(resources: readonly ResourceChange[]): string[] {
  const blocks: string[] = [];
  for (const resource of resources) {
    if (resource.action === ACTION.noop || resource.action === ACTION.read) continue;
    for (const name of policyAttributes(resource)) {
      const { before, after, before_sensitive, after_sensitive, after_unknown } = resource.change;
      const left = resource.action === ACTION.create ? '' : policyText(before, name, before_sensitive, undefined);
      const right = resource.action === ACTION.delete ? '' : policyText(after, name, after_sensitive, after_unknown);
      if (left === right) continue;
      blocks.push(`\`${resource.address}\` · \`${name}\` (${resource.action})\n\n\`\`\`diff\n${unifiedDiff(left, right)}\n\`\`\``);
    }
  }
  return blocks;
}

/** For in-place updates: which top-level attributes change, before -> after (policies are diffed separately). */
function attributeChanges(resource: ResourceChange): string[] {
  const { before, after, before_sensitive, after_sensitive, after_unknown } = resource.change;
  if (!isObject(before) || !isObject(after)) return [];
  const shownBefore = present(before, before_sensitive) as Record<string, unknown>;
  const shownAfter = present(after, after_sensitive, after_unknown) as Record<string, unknown>;
  const policies = new Set(policyAttributes(resource));
  const names = [...new Set([...Object.keys(shownBefore), ...Object.keys(shownAfter)])].filter((name) => !policies.has(name)).sort();
  return names
    .filter((name) => stableJson(shownBefore[name] ?? null) !== stableJson(shownAfter[name] ?? null))
    .map((name) => `\`${name}\`: ${cell(short(shownBefore[name] ?? null, 60))} → ${cell(short(shownAfter[name] ?? null, 60))}`);
}

export function renderPlanSummary(json: unknown, options: RenderOptions = {}): string {
  const plan: Plan = readPlan(json);
  const lines: string[] = [];
  if (options.title) lines.push(`### ${options.title}`, '');
  if (options.note && options.note.length > 0) lines.push('> [!NOTE]', ...options.note.map((line) => `> ${line}`), '');
  const version = `format ${plan.formatVersion}${plan.terraformVersion ? `, Terraform ${plan.terraformVersion}` : ''}`;

  if (plan.errored) {
    lines.push(
      '> [!CAUTION]',
      "> **The plan failed: Terraform reported errors, so nothing here can be applied.** Read the plan job's log for the diagnostics.",
      '',
    );
  }

  const managed = plan.resources.filter((resource) => resource.mode === 'managed');
  const changing = managed.filter((resource) => resource.action !== ACTION.noop);
  const dangerous = changing.filter(
    (resource) => DATA_BEARING_TYPES.has(resource.type) && (resource.action === ACTION.delete || resource.action === ACTION.replace),
  );
  if (dangerous.length > 0) {
    lines.push(
      '> [!WARNING]',
      `> **${dangerous.length === 1 ? 'A bucket or other data store' : `${dangerous.length} buckets or other data stores`} will be DELETED${dangerous.some((r) => r.action === ACTION.replace) ? ' or REPLACED' : ''}: everything in ${dangerous.length === 1 ? 'it' : 'them'} is lost.**`,
      ...dangerous.map((resource) => {
        const reason = why(resource);
        return `> - \`${resource.address}\`: **${resource.action}**${reason ? ` (${reason})` : ''}`;
      }),
      '',
    );
  }

  const counts = countChanges(plan);
  const outputChanges = plan.outputs.filter((output) => output.action !== ACTION.noop);
  if (changing.length === 0 && outputChanges.length === 0 && !plan.errored) {
    lines.push('**No changes.** The infrastructure matches the configuration.', '');
  } else if (changing.length === 0 && !plan.errored) {
    lines.push(`**Plan:** no resource changes; ${outputChanges.length} output${outputChanges.length === 1 ? '' : 's'} change.`, '');
  } else if (changing.length > 0) {
    const unchanged = managed.length - changing.length;
    lines.push(
      `**Plan:** ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete${unchanged > 0 ? ` (${unchanged} unchanged)` : ''}.`,
      '',
    );
  }
  if (plan.drift > 0)
    lines.push(`_${plan.drift} resource${plan.drift === 1 ? '' : 's'} changed outside Terraform since the last apply._`, '');

  if (changing.length > 0) {
    const ordered = [...changing].sort(
      (a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || a.address.localeCompare(b.address),
    );
    lines.push('| action | resource | details |', '| --- | --- | --- |');
    for (const resource of ordered) {
      const details = [why(resource), ...(resource.action === ACTION.update ? attributeChanges(resource) : [])]
        .filter(Boolean)
        .join('<br>');
      lines.push(`| ${LABEL[resource.action]} | \`${cell(resource.address)}\` | ${details} |`);
    }
    lines.push('');
  }

  const diffs = policyDiffs(changing);
  if (diffs.length > 0) {
    lines.push(
      `<details open><summary>IAM policy changes (${diffs.length})</summary>`,
      '',
      ...diffs.flatMap((block) => [block, '']),
      '</details>',
      '',
    );
  }

  if (outputChanges.length > 0) {
    lines.push('| output | action | value |', '| --- | --- | --- |');
    for (const output of outputChanges) {
      const { after, after_sensitive, after_unknown } = output.change;
      const value = output.action === ACTION.delete ? '' : short(present(after, after_sensitive, after_unknown));
      lines.push(`| \`${cell(output.name)}\` | ${LABEL[output.action]} | ${cell(value)} |`);
    }
    lines.push('');
  }
  lines.push(`<sub>${version}</sub>`);
  return `${lines.join('\n')}\n`;
}
