import { odata } from '@azure/data-tables';
import { LinkRepository } from '../../platform/storage/links/LinkRepository';
import { compositeKey, KEY_SEPARATOR } from '../../platform/storage/tableKey';
import { linkMailboxOf } from './linkMailboxOf';

/**
 * Which mailbox a link keeps subscribed: its mailbox (`linkMailboxOf`: the shared mailbox it
 * was made in, else its maker's). A mailbox owns no link any more → its subscription goes.
 * One query over the tenant's partition range, stopped at the first match.
 */
export class LinkOwnership extends LinkRepository {
  async ownsAny(tenantId: string, mailboxId: string): Promise<boolean> {
    const mine = odata`(userId eq ${mailboxId} or mailboxId eq ${mailboxId})`;
    const filter = `${this.partitionPrefixFilter(compositeKey(tenantId) + KEY_SEPARATOR)} and ${mine}`;
    // A shared mailbox's link made by a member names the member too: it is not the member's.
    for await (const link of this.query(filter)) if (linkMailboxOf(link) === mailboxId) return true;
    return false;
  }
}
