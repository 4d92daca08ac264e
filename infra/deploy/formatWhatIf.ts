import type { WhatIfResult } from './ArmClient';
import { formatError } from './DeploymentProgress';

const SYMBOLS: Record<string, string> = {
  Create: '+',
  Delete: '-',
  Modify: '~',
  Deploy: '!',
  NoChange: '=',
  Ignore: '*',
  Unsupported: 'x',
};

/** The what-if answer as `az deployment group what-if` shows it, one resource a line. */
export function formatWhatIf(result: WhatIfResult): string[] {
  if (result.error) return [`What-if failed: ${formatError(result.error)}`];
  const changes = (result.changes ?? [])
    .map((change) => ({ ...change, name: shortResourceId(change.resourceId ?? change.symbolicName ?? '(unnamed)') }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const lines = ['Resource changes (+ create, ~ modify, - delete, ! deploy, = no change, * ignore, x unsupported):'];
  const counts = new Map<string, number>();
  for (const change of changes) {
    counts.set(change.changeType, (counts.get(change.changeType) ?? 0) + 1);
    lines.push(`  ${SYMBOLS[change.changeType] ?? '?'} ${change.name}`);
    if (change.changeType === 'Modify') {
      for (const delta of change.delta ?? []) lines.push(`      ${SYMBOLS[delta.propertyChangeType] ?? '~'} ${delta.path}`);
    }
  }
  const summary = [...counts.entries()].map(([type, count]) => `${count} to ${type.toLowerCase()}`).join(', ');
  lines.push(changes.length === 0 ? 'No changes.' : `Summary: ${summary}.`);
  return lines;
}

function shortResourceId(resourceId: string): string {
  const at = resourceId.toLowerCase().indexOf('/providers/');
  return at >= 0 ? resourceId.slice(at + '/providers/'.length) : resourceId;
}
