import type { DirectoryUser } from '../mail/graph/UserDirectory';

/**
 * A mailbox owner as the panel shows them beside their object id: name and address from
 * the directory, or that the user was deleted. Absent when the directory could not say
 * (403, Graph failing): the panel then shows the id alone.
 */
export interface PanelUser {
  displayName?: string;
  mail?: string;
  deleted?: true;
}

export function toPanelUser(user: DirectoryUser | undefined): PanelUser | undefined {
  if (user?.kind === 'deleted') return { deleted: true };
  if (user?.kind !== 'user') return undefined;
  return {
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    ...(user.mail === undefined ? {} : { mail: user.mail }),
  };
}
