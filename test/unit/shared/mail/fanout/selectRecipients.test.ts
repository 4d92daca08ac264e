import { selectRecipients } from '../../../../../shared/mail/fanout/selectRecipients';

const watcher = (name: string, emailAddress?: string, active = true) => ({ name, ...(emailAddress ? { emailAddress } : {}), active });

describe('selectRecipients', () => {
  it('drops the sender by address, case-insensitively, and inactive users', () => {
    const selection = selectRecipients(
      [
        watcher('alice', 'Alice@Example.TEST'),
        watcher('bob', 'bob@example.test'),
        watcher('carol', 'carol@example.test', false),
        watcher('dave'),
      ],
      ' alice@example.test ',
    );
    expect(selection).toEqual({ names: ['bob', 'dave'], droppedSender: 1, droppedInactive: 1 });
  });

  it('keeps everyone active when the sender is unknown, each name once', () => {
    const selection = selectRecipients(
      [watcher('bob', 'bob@example.test'), watcher('bob', 'bob@example.test'), { name: 'erin' }],
      undefined,
    );
    expect(selection).toEqual({ names: ['bob', 'erin'], droppedSender: 0, droppedInactive: 0 });
  });

  it('does not match a watcher whose address Jira hides', () => {
    expect(selectRecipients([watcher('alice')], 'alice@example.test').names).toEqual(['alice']);
  });
});
