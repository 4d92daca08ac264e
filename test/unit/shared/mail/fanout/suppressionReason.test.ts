import { suppressionReason } from '../../../../../shared/mail/fanout/suppressionReason';

const received = (headers: [string, string][], internetMessageId = '<CAF1a2b3@mail.example.test>') => ({
  isDraft: false,
  internetMessageId,
  internetMessageHeaders: [
    { name: 'Received', value: 'from mx.example.test' },
    { name: 'Message-ID', value: internetMessageId },
    ...headers.map(([name, value]) => ({ name, value })),
  ],
});

describe('suppressionReason: which mails of a linked conversation notify no one', () => {
  it('an ordinary reply notifies, also with Auto-Submitted: no and X-Auto-Response-Suppress: None', () => {
    expect(suppressionReason(received([]))).toBeUndefined();
    expect(suppressionReason(received([['Auto-Submitted', 'no']]))).toBeUndefined();
    expect(suppressionReason(received([['auto-submitted', ' No ; comment']]))).toBeUndefined();
    expect(suppressionReason(received([['X-Auto-Response-Suppress', 'None']]))).toBeUndefined();
    expect(suppressionReason(received([['Precedence', 'first-class']]))).toBeUndefined();
  });

  it('a draft never notifies, headers or not', () => {
    expect(suppressionReason({ isDraft: true, internetMessageId: null, internetMessageHeaders: null })).toBe('draft');
    expect(suppressionReason({ ...received([]), isDraft: true })).toBe('draft');
  });

  it('RFC 3834 Auto-Submitted other than no is an automatic reply, whatever the case and parameters', () => {
    for (const value of ['auto-replied', 'auto-generated', 'Auto-Notified; owner-email="a@b.test"', 'auto-replied; private'])
      expect(suppressionReason(received([['Auto-Submitted', value]]))).toBe('autoReply');
    expect(suppressionReason(received([['AUTO-SUBMITTED', 'AUTO-REPLIED']]))).toBe('autoReply');
  });

  it("Exchange's markers of mailbox-rule mail (out-of-office) and X-Auto-Response-Suppress are automatic replies", () => {
    expect(suppressionReason(received([['X-MS-Exchange-Inbox-Rules-Loop', 'alice@example.test']]))).toBe('autoReply');
    expect(suppressionReason(received([['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent']]))).toBe('autoReply');
    expect(suppressionReason(received([['X-Auto-Response-Suppress', 'All']]))).toBe('autoReply');
    expect(suppressionReason(received([['X-Auto-Response-Suppress', 'DR, OOF, AutoReply']]))).toBe('autoReply');
  });

  it('Precedence bulk, junk and list are bulk mail', () => {
    for (const value of ['bulk', 'JUNK', ' list ']) expect(suppressionReason(received([['Precedence', value]]))).toBe('bulk');
  });

  it("Jira's own notification is a loop, by its fingerprint or its Message-ID, before it counts as automatic", () => {
    expect(suppressionReason(received([['X-JIRA-FingerPrint', '4bdd6f8c2a0b3c1f']]))).toBe('loop');
    expect(suppressionReason(received([], '<JIRA.10200.1717171717000@jira.example.test>'))).toBe('loop');
    expect(suppressionReason(received([], '<JIRA.10200.1717171717000.3@Atlassian.JIRA>'))).toBe('loop');
    expect(
      suppressionReason(
        received(
          [
            ['Auto-Submitted', 'auto-generated'],
            ['x-jira-fingerprint', 'abc'],
          ],
          '<JIRA.1.2@jira.test>',
        ),
      ),
    ).toBe('loop');
    // A human's Message-ID that merely starts alike is not Jira's.
    expect(suppressionReason(received([], '<JIRA-notes.1@mail.example.test>'))).toBeUndefined();
  });

  it('without a header list (an older subscription selected none) only isDraft decides', () => {
    expect(suppressionReason({ isDraft: false, internetMessageId: '<a@b.test>', internetMessageHeaders: undefined })).toBeUndefined();
  });
});
