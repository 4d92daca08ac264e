import { z } from 'zod';

/**
 * One watcher in `GET /rest/api/2/issue/{key}/watchers` (Jira Server / DC). `emailAddress`
 * is absent when Jira's e-mail visibility hides it; `active` is false for deactivated users.
 */
export const jiraWatcherSchema = z.object({
  name: z.string().min(1),
  key: z.string().optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  active: z.boolean().optional(),
});

export type JiraWatcher = z.output<typeof jiraWatcherSchema>;

export const jiraWatchersSchema = z.object({
  watchCount: z.number().int().min(0).optional(),
  isWatching: z.boolean().optional(),
  watchers: z.array(jiraWatcherSchema),
});

export type JiraWatchers = z.output<typeof jiraWatchersSchema>;
