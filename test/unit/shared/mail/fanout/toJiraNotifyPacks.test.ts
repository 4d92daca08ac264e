import { fromJiraNotifyPack } from '../../../../../shared/mail/fanout/fromJiraNotifyPack';
import type { JiraNotifyMessage } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import { jiraNotifyQueueMessageSchema } from '../../../../../shared/mail/fanout/jiraNotifyPack';
import { toJiraNotifyPacks } from '../../../../../shared/mail/fanout/toJiraNotifyPacks';

const mail = {
  internetMessageId: '<m1@example.test>',
  conversationId: 'AAQkAD-conv',
  messageId: 'AAMkAG-1',
  subject: 'Numbers',
  fromAddress: 'ann@example.test',
  bodyPreview: 'Numbers',
};

function message(issueKey: string, extra: Partial<JiraNotifyMessage> = {}): JiraNotifyMessage {
  return {
    version: 1,
    tenantId: '0f6d5c1e-4a59-4c3b-9d2f-3a1f6c1d2e77',
    instanceId: 'demo',
    issueKey,
    mailboxUserId: 'user-1',
    mail,
    enqueuedAt: '2026-12-03T10:00:00.000Z',
    retry: { throttled: 0, failed: 0 },
    ...extra,
  };
}

describe('toJiraNotifyPacks', () => {
  it("makes one message of a mail's linked issues, which unpacks to the same per-issue messages", () => {
    const queued = [message('DEMO-1'), message('DEMO-2', { probe: true }), message('DEMO-3')];
    const messages = toJiraNotifyPacks(queued);
    expect(messages).toHaveLength(1);
    const parsed = jiraNotifyQueueMessageSchema.parse(JSON.parse(JSON.stringify(messages[0])));
    expect(parsed).toMatchObject({ version: 2, tenantId: queued[0]?.tenantId });
    expect(parsed.version === 2 && fromJiraNotifyPack(parsed)).toEqual(queued);
  });

  it('leaves a lone issue, a retry and a digest flush as version 1 messages', () => {
    const retry = message('DEMO-5', { retry: { throttled: 1, failed: 0 } });
    const digest = message('DEMO-6', { digest: { seq: 2 } });
    expect(toJiraNotifyPacks([message('DEMO-4')])).toEqual([message('DEMO-4')]);
    expect(toJiraNotifyPacks([retry, digest])).toEqual([retry, digest]);
  });
});
