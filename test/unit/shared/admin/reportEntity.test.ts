import { fromTableEntity, reportCodec, toTableEntity, type ReportEntity } from '../../../../shared/admin/reportEntity';
import { isAppError } from '../../../../shared/platform/errors/AppError';

const entity: ReportEntity = {
  scope: '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18',
  day: '2025-01-31',
  shard: 3,
  counts: { received: 4, dropped_clientStateMismatch: 1, poisoned_jira_notify: 2 },
  updatedAt: '2025-01-31T10:00:00.000Z',
};

describe('reports table rows', () => {
  it('round-trip, counters as n_ columns, keyed by scope and day.shard', () => {
    const row = toTableEntity(entity);
    expect(row).toMatchObject({
      partitionKey: entity.scope,
      rowKey: '2025-01-31.3',
      n_received: 4,
      n_dropped_clientStateMismatch: 1,
      n_poisoned_jira_notify: 2,
    });
    expect(fromTableEntity({ ...row, updatedAt: new Date(entity.updatedAt) })).toEqual(entity);
    expect(reportCodec.partitionKey({ scope: '_deployment' })).toBe('_deployment');
  });

  it('refuse a metric that cannot be a column name, and a counter that is not a count', () => {
    const code = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        return isAppError(error) ? error.code : 'other';
      }
      return undefined;
    };
    expect(code(() => toTableEntity({ ...entity, counts: { 'dropped-x': 1 } }))).toBe('internal');
    expect(code(() => fromTableEntity({ ...toTableEntity(entity), n_received: -1 }))).toBe('storage_row_invalid');
    expect(code(() => fromTableEntity({ ...toTableEntity(entity), n_received: 'four' }))).toBe('storage_row_invalid');
    expect(code(() => fromTableEntity({ ...toTableEntity(entity), day: '31.01.2025' }))).toBe('storage_row_invalid');
  });
});
