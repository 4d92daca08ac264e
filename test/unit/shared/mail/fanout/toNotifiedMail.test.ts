import { MAX_PREVIEW_LENGTH, MAX_SUBJECT_LENGTH, notifiedMailSchema } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import { toNotifiedMail } from '../../../../../shared/mail/fanout/toNotifiedMail';

describe('toNotifiedMail', () => {
  it('keeps the fields the notification needs', () => {
    expect(
      toNotifiedMail({
        id: 'AAMk1',
        internetMessageId: '<a@b>',
        conversationId: 'AAQk=',
        subject: 'Hello',
        from: { emailAddress: { name: 'Alice', address: 'alice@example.test' } },
        receivedDateTime: '2024-05-01T10:00:00Z',
        bodyPreview: 'Hi',
        webLink: 'https://outlook.office365.com/owa/?ItemID=1',
      }),
    ).toEqual({
      internetMessageId: '<a@b>',
      conversationId: 'AAQk=',
      messageId: 'AAMk1',
      subject: 'Hello',
      fromName: 'Alice',
      fromAddress: 'alice@example.test',
      receivedDateTime: '2024-05-01T10:00:00.000Z',
      bodyPreview: 'Hi',
      webLink: 'https://outlook.office365.com/owa/?ItemID=1',
    });
  });

  it('has nothing for a mail without a conversation', () => {
    expect(toNotifiedMail({ id: 'x', conversationId: null })).toBeUndefined();
  });

  it('keys a mail without internetMessageId by its Graph id, drops links that are not http(s), bounds the text', () => {
    const mail = toNotifiedMail({
      id: 'AAMk2',
      conversationId: 'c',
      subject: `${'😀'.repeat(MAX_SUBJECT_LENGTH)}`,
      bodyPreview: 'p'.repeat(MAX_PREVIEW_LENGTH + 10),
      webLink: 'javascript:alert(1)',
      from: null,
    });
    expect(mail?.internetMessageId).toBe('graph:AAMk2');
    expect(mail?.webLink).toBeUndefined();
    expect(mail?.fromAddress).toBeUndefined();
    expect(mail?.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(mail?.subject.endsWith('😀…')).toBe(true);
    expect(mail?.bodyPreview.length).toBe(MAX_PREVIEW_LENGTH);
    expect(notifiedMailSchema.safeParse(mail).success).toBe(true);
  });

  it('keys a mail with an absurdly long internetMessageId by its hash, the same in every mailbox', () => {
    const id = `<${'x'.repeat(5000)}@example.test>`;
    const first = toNotifiedMail({ id: 'A', conversationId: 'c', internetMessageId: id });
    const second = toNotifiedMail({ id: 'B', conversationId: 'c', internetMessageId: id });
    expect(first?.internetMessageId).toMatch(/^sha256:[\w-]{43}$/);
    expect(second?.internetMessageId).toBe(first?.internetMessageId);
    expect(notifiedMailSchema.safeParse(first).success).toBe(true);
  });
});
