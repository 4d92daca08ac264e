/** The queues of DESIGN.md. The host moves a message to `<name>-poison` after 5 failures. */
export const queueNames = {
  graphNotifications: 'graph-notifications',
  graphLifecycle: 'graph-lifecycle',
  jiraNotify: 'jira-notify',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];
export const allQueueNames: readonly QueueName[] = Object.values(queueNames);
export const poisonQueueName = (queue: QueueName): string => `${queue}-poison`;
