/** The tables of DESIGN.md. */
export const tableNames = {
  instances: 'instances',
  jiraTokens: 'jiraTokens',
  subscriptions: 'subscriptions',
  mailboxes: 'mailboxes',
  links: 'links',
  deliveries: 'deliveries',
  licenses: 'licenses',
  /** Daily counters of the admin panel's report (shared/admin). */
  reports: 'reports',
  /** Storm control: per linked issue and conversation, the notification window and the mails held for its digest. */
  digests: 'digests',
  /** One row per mail the fan-out handled, for the panel's mail trail (pruned with the deliveries). */
  trails: 'trails',
  /** The last run of each scheduled job, for the operators' health answer. */
  jobRuns: 'jobRuns',
} as const;

export type TableName = (typeof tableNames)[keyof typeof tableNames];
export const allTableNames: readonly TableName[] = Object.values(tableNames);
