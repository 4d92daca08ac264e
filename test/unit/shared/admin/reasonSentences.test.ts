import { reasonSentences } from '../../../../shared/admin/reasonSentences';
import { dropReasons } from '../../../../shared/mail/webhooks/DropCounts';
import { deliveryReasons } from '../../../../shared/platform/storage/deliveries/deliveryReason';
import { trailDropReasons, trailIssueStates } from '../../../../shared/platform/storage/trails/mailTrailEntity';

/** Words an admin can read: several of them, no code-like token (snake_case, camelCase) left, no stop (the panel adds one). */
function readable(code: string, sentence: string | undefined): void {
  expect(typeof sentence).toBe('string');
  expect(sentence).not.toBe(code);
  expect(sentence?.split(' ').length).toBeGreaterThanOrEqual(3);
  expect(sentence).not.toMatch(/[a-z]_[a-z]|[a-z][A-Z]/);
  expect(sentence).not.toMatch(/\.$/);
}

describe('reasonSentences', () => {
  it.each([...dropReasons, ...trailDropReasons])('explains the drop %s', (code) => {
    readable(code, reasonSentences.dropped[code]);
  });

  it.each([...deliveryReasons])('explains the delivery reason %s', (code) => {
    readable(code, reasonSentences.delivery[code]);
  });

  it.each([...trailIssueStates])("explains the fan-out's %s", (code) => {
    readable(code, reasonSentences.fanOut[code]);
  });

  it("explains Jira's other refusals with the status Jira answered", () => {
    expect(reasonSentences.rejected.replace('{status}', '400')).toBe('Jira rejected the notification (HTTP 400)');
  });

  it("names jira_forbidden's two causes an admin can fix", () => {
    expect(reasonSentences.delivery.jira_forbidden).toBe('Jira refused: outgoing mail is off or the service user lacks permission');
  });

  it('gives every code its own sentence, so two causes never read the same', () => {
    const sentences = [
      ...Object.values(reasonSentences.dropped),
      ...Object.values(reasonSentences.delivery),
      ...Object.values(reasonSentences.fanOut),
    ];
    expect(new Set(sentences).size).toBe(sentences.length);
  });
});
