import { odata } from '@azure/data-tables';
import { LinkRepository } from '../../platform/storage/links/LinkRepository';
import { compositeKey, KEY_SEPARATOR } from '../../platform/storage/tableKey';

/**
 * Which mailbox a link keeps subscribed: the one of the user who made it (`userId`). A
 * mailbox owns no link any more → its subscription goes. One query over the tenant's
 * partition range, stopped at the first match.
 */
export class LinkOwnership extends LinkRepository {
  async ownsAny(tenantId: string, userId: string): Promise<boolean> {
    const filter = `${this.partitionPrefixFilter(compositeKey(tenantId) + KEY_SEPARATOR)} and ${odata`userId eq ${userId}`}`;
    for await (const _link of this.query(filter)) return true;
    return false;
  }
}
