import type { JiraWatcher } from './jiraWatchersSchema';

export interface RecipientSelection {
  /** Jira user names to notify, each once, in Jira's order. */
  names: string[];
  droppedSender: number;
  droppedInactive: number;
}

/**
 * The watchers to notify about a mail: not the mail's sender (matched by e-mail address,
 * case-insensitively, as mail systems treat addresses) and not deactivated users. A watcher
 * whose address Jira hides cannot be matched and is kept: Jira sends to whom it knows.
 */
export function selectRecipients(watchers: readonly JiraWatcher[], senderAddress: string | undefined): RecipientSelection {
  const sender = senderAddress?.trim().toLowerCase();
  const names: string[] = [];
  const seen = new Set<string>();
  let droppedSender = 0;
  let droppedInactive = 0;
  for (const watcher of watchers) {
    if (sender && watcher.emailAddress?.trim().toLowerCase() === sender) {
      droppedSender += 1;
      continue;
    }
    if (watcher.active === false) {
      droppedInactive += 1;
      continue;
    }
    if (seen.has(watcher.name)) continue;
    seen.add(watcher.name);
    names.push(watcher.name);
  }
  return { names, droppedSender, droppedInactive };
}
