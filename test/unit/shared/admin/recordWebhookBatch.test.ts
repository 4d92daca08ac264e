import { recordPoisoned } from '../../../../shared/admin/recordPoisoned';
import { DEPLOYMENT_SCOPE } from '../../../../shared/admin/ReportCounters';
import { recordWebhookBatch } from '../../../../shared/admin/recordWebhookBatch';

const tenantA = '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18';
const tenantB = '0a9e7c6b-1d2f-4e3a-8b5c-7d6e5f4a3b2c';

/** Collects what would be added, per scope. */
function collector(behaviour: 'ok' | 'fail' = 'ok') {
  const added: [string, Record<string, number>][] = [];
  return {
    added,
    add: (scope: string, counts: Readonly<Record<string, number>>) => {
      added.push([scope, { ...counts }]);
      if (behaviour === 'fail') return Promise.reject(new Error('storage down'));
      return Promise.resolve();
    },
  };
}

describe('recordWebhookBatch', () => {
  it('counts accepted notifications per tenant, and arrivals and drops by reason for the deployment', async () => {
    const counters = collector();
    const recorded = await recordWebhookBatch(counters, {
      kind: 'notifications',
      messages: [{ tenantId: tenantA }, { tenantId: tenantA }, { tenantId: tenantB }],
      dropped: { duplicate: 2, malformed: 1 },
    });
    expect(recorded).toBe(true);
    expect(Object.fromEntries(counters.added)).toEqual({
      [tenantA]: { received: 2 },
      [tenantB]: { received: 1 },
      [DEPLOYMENT_SCOPE]: { received: 6, dropped_duplicate: 2, dropped_malformed: 1 },
    });
  });

  it('counts lifecycle events per tenant by event; their drops count for the deployment', async () => {
    const counters = collector();
    await recordWebhookBatch(counters, {
      kind: 'lifecycle',
      messages: [
        { tenantId: tenantA, lifecycleEvent: 'missed' },
        { tenantId: tenantA, lifecycleEvent: 'reauthorizationRequired' },
      ],
      dropped: { unknownSubscription: 1 },
    });
    expect(Object.fromEntries(counters.added)).toEqual({
      [tenantA]: { lifecycle_missed: 1, lifecycle_reauthorizationRequired: 1 },
      [DEPLOYMENT_SCOPE]: { dropped_unknownSubscription: 1 },
    });
  });

  it('answers false when a count is refused: the webhook answer never fails for it', async () => {
    expect(await recordWebhookBatch(collector('fail'), { kind: 'notifications', messages: [{ tenantId: tenantA }], dropped: {} })).toBe(
      false,
    );
  });
});

describe('recordPoisoned', () => {
  it('counts for the tenant the message names, else for the deployment, and never throws', async () => {
    const counters = collector();
    await recordPoisoned(counters, 'jira-notify', { version: 1, tenantId: tenantA });
    await recordPoisoned(counters, 'graph-notifications', 'not json at all');
    await recordPoisoned(counters, 'graph-lifecycle', { tenantId: 'Robert"); DROP TABLE' });
    expect(counters.added).toEqual([
      [tenantA, { poisoned_jira_notify: 1 }],
      [DEPLOYMENT_SCOPE, { poisoned_graph_notifications: 1 }],
      [DEPLOYMENT_SCOPE, { poisoned_graph_lifecycle: 1 }],
    ]);
    expect(await recordPoisoned(collector('fail'), 'jira-notify', {})).toBe(false);
  });
});
