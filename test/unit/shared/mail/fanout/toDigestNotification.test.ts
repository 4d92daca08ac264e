import fc from 'fast-check';
import { toDigestNotification } from '../../../../../shared/mail/fanout/toDigestNotification';

/** Every `<` left in the HTML must start one of the tags the builder itself writes. */
const OWN_TAGS = /<\/?(?:p|b|table|tr|th|td)(?:\s[^<>]*)?>/g;

describe('toDigestNotification', () => {
  it('counts the mails in the subject and lists each (received, from, subject), to the recipients only', () => {
    const notification = toDigestNotification(
      'DEMO-1',
      'RE: Quarterly numbers',
      [
        {
          subject: 'RE: Quarterly numbers',
          fromName: 'Alice',
          fromAddress: 'alice@example.test',
          receivedDateTime: '2024-05-01T10:15:30Z',
        },
        { subject: '', fromAddress: 'bob@example.test' },
        {
          subject: 'Fwd: numbers',
          fromName: 'carol@example.test',
          fromAddress: 'CAROL@example.test',
          receivedDateTime: '2024-05-01T10:17:00Z',
        },
      ],
      ['dave'],
    );
    expect(notification.subject).toBe('[DEMO-1] 3 new e-mails in RE: Quarterly numbers');
    expect(notification.textBody.split('\n')).toEqual([
      '3 new e-mails in a conversation linked to DEMO-1: RE: Quarterly numbers',
      '',
      '- 2024-05-01 10:15 UTC Alice <alice@example.test>: RE: Quarterly numbers',
      '- bob@example.test: (no subject)',
      '- 2024-05-01 10:17 UTC carol@example.test: Fwd: numbers',
    ]);
    expect(notification.to.users).toEqual([{ name: 'dave' }]);
    expect(notification.to).toMatchObject({ reporter: false, assignee: false, watchers: false, voters: false });
    expect(notification.restrict).toEqual({ permissions: [{ key: 'BROWSE' }] });
    expect(toDigestNotification('DEMO-1', 'x', [{ subject: 'one' }], []).subject).toBe('[DEMO-1] 1 new e-mail in x');
  });

  it('escapes every mail-derived value in the HTML and keeps the subject one line, whatever the mails say', () => {
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    fc.assert(
      fc.property(
        text,
        fc.array(fc.record({ subject: text, fromName: text, fromAddress: text }), { minLength: 1, maxLength: 5 }),
        (topic, mails) => {
          const notification = toDigestNotification('DEMO-1', topic, mails, ['bob']);
          expect(notification.htmlBody.replace(OWN_TAGS, '')).not.toContain('<');
          expect(notification.subject).not.toMatch(/[\r\n]/);
          expect(notification.subject.length).toBeLessThanOrEqual(255);
          expect(notification.textBody.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(mails.length);
        },
      ),
    );
  });
});
