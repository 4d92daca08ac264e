import { AppError } from '../../../../../../shared/platform/errors/AppError';
import { fromTableEntity, toTableEntity, type MailTrailEntity } from '../../../../../../shared/platform/storage/trails/mailTrailEntity';

const matched: MailTrailEntity = {
  tenantId: '00000000-0000-4000-8000-0000000000aa',
  userId: '00000000-0000-4000-8000-0000000000bb',
  messageId: 'AAMkAGI2/+THE=',
  subscriptionId: 'sub-1',
  receivedAt: '2026-12-03T07:00:00.000Z',
  internetMessageId: '<a1@example.test>',
  conversationId: 'AAQkAD/+=',
  outcome: 'matched',
  issues: [
    { instanceId: 'demo', issueKey: 'DEMO-1', state: 'queued' },
    { instanceId: 'demo', issueKey: 'DEMO-2', state: 'staleSkipped' },
  ],
  updatedAt: '2026-12-03T07:00:01.000Z',
};

describe('mailTrailEntity: one mail as the fan-out handled it, as a table row', () => {
  it('keeps every field through a write and a read, and keys no raw Graph id', () => {
    const row = toTableEntity(matched);
    expect(fromTableEntity(row)).toEqual(matched);
    // Graph ids hold `/` and `+`, which table keys forbid: the row key carries a hash of it.
    expect(row.partitionKey).toBe(matched.tenantId);
    expect(row.rowKey).not.toContain('/');
    expect(row.rowKey.startsWith(matched.userId)).toBe(true);
  });

  it('reads a dropped mail without its conversation back as written', () => {
    const dropped: MailTrailEntity = { ...matched, outcome: 'dropped', reason: 'mailGone', issues: [] };
    delete dropped.internetMessageId;
    delete dropped.conversationId;
    expect(fromTableEntity(toTableEntity(dropped))).toEqual(dropped);
  });

  it('refuses a row whose issue list is not JSON, or names a state the app does not write', () => {
    const row = toTableEntity(matched);
    expect(() => fromTableEntity({ ...row, issues: '[{"instanceId":' })).toThrow(AppError);
    expect(() => fromTableEntity({ ...row, issues: '[{"instanceId":"demo","issueKey":"DEMO-1","state":"mailed"}]' })).toThrow(AppError);
  });
});
