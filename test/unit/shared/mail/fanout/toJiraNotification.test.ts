import fc from 'fast-check';
import type { NotifiedMail } from '../../../../../shared/mail/fanout/jiraNotifyMessage';
import { toJiraNotification } from '../../../../../shared/mail/fanout/toJiraNotification';

const mail: NotifiedMail = {
  internetMessageId: '<m1@example.test>',
  conversationId: 'AAQkAGI2=',
  messageId: 'AAMkAGI2',
  subject: 'Quarterly numbers',
  fromName: 'Alice Example',
  fromAddress: 'alice@example.test',
  receivedDateTime: '2024-05-01T10:15:30.000Z',
  bodyPreview: 'Hi all,\nthe numbers are in.',
  webLink: 'https://outlook.office365.com/owa/?ItemID=AAMkAGI2%3D&exvsurl=1',
};

/** Every `<` left in the HTML must start one of the tags the builder itself writes. */
const OWN_TAGS = /<\/?(?:p|b|table|tr|th|td|blockquote|br|a)(?:\s[^<>]*)?>/g;

describe('toJiraNotification', () => {
  it('builds the subject, both bodies and the recipients', () => {
    const notification = toJiraNotification('DEMO-1', mail, ['bob', 'carol']);
    expect(notification.subject).toBe('[DEMO-1] New e-mail: Quarterly numbers');
    expect(notification.textBody).toContain('From: Alice Example <alice@example.test>');
    expect(notification.textBody).toContain('Received: 2024-05-01 10:15 UTC');
    expect(notification.textBody).toContain('the numbers are in.');
    expect(notification.textBody).toContain(`Open the e-mail: ${mail.webLink}`);
    expect(notification.htmlBody).toContain(
      '<a href="https://outlook.office365.com/owa/?ItemID=AAMkAGI2%3D&amp;exvsurl=1">Open the e-mail</a>',
    );
    expect(notification.htmlBody).toContain('Hi all,<br>the numbers are in.');
    expect(notification.to).toEqual({
      reporter: false,
      assignee: false,
      watchers: false,
      voters: false,
      users: [{ name: 'bob' }, { name: 'carol' }],
    });
    expect(notification.restrict).toEqual({ permissions: [{ key: 'BROWSE' }] });
  });

  it('escapes every mail-derived value in the HTML body', () => {
    const hostile: NotifiedMail = {
      ...mail,
      subject: '<script>alert(1)</script> & "quotes"',
      fromName: '<img src=x onerror=alert(2)>',
      fromAddress: 'evil"@example.test',
      bodyPreview: "</blockquote><iframe src='https://evil.test'>",
      webLink: 'https://evil.test/"><script>alert(3)</script>',
    };
    const { htmlBody, subject } = toJiraNotification('DEMO-1', hostile, ['bob']);
    expect(htmlBody).not.toMatch(/<script|<img|<iframe/i);
    expect(htmlBody).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(htmlBody).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(htmlBody).toContain('&lt;/blockquote&gt;&lt;iframe src=&#39;https://evil.test&#39;&gt;');
    // The subject is plain text for a mail header: kept, only put on one line.
    expect(subject).toBe('[DEMO-1] New e-mail: <script>alert(1)</script> & "quotes"');
  });

  it('never lets mail text open a tag or an attribute, whatever it holds', () => {
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    fc.assert(
      fc.property(text, text, text, text, (subject, fromName, fromAddress, bodyPreview) => {
        const { htmlBody } = toJiraNotification('KEY-1', { ...mail, subject, fromName, fromAddress, bodyPreview }, ['bob']);
        const rest = htmlBody.replace(OWN_TAGS, '');
        expect(rest).not.toMatch(/[<>]/);
      }),
    );
  });

  it('keeps the subject on one line and bounded, and names a missing subject and sender', () => {
    const long = toJiraNotification('DEMO-1', { ...mail, subject: `Line one\r\nBcc: victim@example.test\u2028${'x'.repeat(400)}` }, [
      'bob',
    ]);
    expect(long.subject).not.toMatch(/[\r\n\u2028]/);
    expect(long.subject.startsWith('[DEMO-1] New e-mail: Line one Bcc: victim@example.test ')).toBe(true);
    expect(long.subject.length).toBeLessThanOrEqual(255);

    const { fromName: _n, fromAddress: _a, webLink: _l, receivedDateTime: _r, ...bare } = mail;
    const minimal = toJiraNotification('DEMO-2', { ...bare, subject: '  ', bodyPreview: '' }, ['bob']);
    expect(minimal.subject).toBe('[DEMO-2] New e-mail: (no subject)');
    expect(minimal.textBody).toContain('From: unknown sender');
    expect(minimal.textBody).not.toContain('Open the e-mail');
    expect(minimal.htmlBody).not.toContain('<a ');
    expect(minimal.htmlBody).not.toContain('<blockquote>');
  });
});
