/** Every reason code the notify step records on a `deliveries` row (the panel explains each). */
export const deliveryReasons = [
  'digest',
  'empty_digest',
  'no_recipients',
  'instance_not_found',
  'issue_not_found',
  'jira_forbidden',
] as const;

/** Jira answered the notify call with another 4xx: `jira_rejected_<status>`. */
export type JiraRejectedReason = `jira_rejected_${number}`;

export type DeliveryReason = (typeof deliveryReasons)[number] | JiraRejectedReason;
