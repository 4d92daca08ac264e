import type { TableClient } from '@azure/data-tables';
import { TypedTable } from '../TypedTable';
import { digestMailCodec, type DigestMailEntity, type DigestMailKey } from './digestMailEntity';
import { digestWindowCodec, type DigestPartition, type DigestWindowEntity } from './digestWindowEntity';

/**
 * Table `digests`, PartitionKey tenant.hash(conversationId).instance.issueKey: per linked
 * issue and conversation one window row (RowKey `window:`) and the mails held for its next
 * digest (RowKey `mail:` + hash of the internetMessageId).
 */
export class DigestRepository {
  readonly windows: TypedTable<DigestWindowEntity, DigestPartition, DigestPartition>;
  readonly mails: TypedTable<DigestMailEntity, DigestMailKey, DigestPartition>;

  constructor(init: { client: TableClient }) {
    this.windows = new TypedTable({ client: init.client, codec: digestWindowCodec });
    this.mails = new TypedTable({ client: init.client, codec: digestMailCodec });
  }
}
