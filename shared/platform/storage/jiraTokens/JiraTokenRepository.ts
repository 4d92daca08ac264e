import { odata, type TableClient } from '@azure/data-tables';
import { TypedTable } from '../TypedTable';
import { toTableDate } from '../tableDate';
import {
  jiraAccessTokenCodec,
  type JiraAccessTokenEntity,
  type JiraAccessTokenKey,
  type JiraTokenPartition,
} from './jiraAccessTokenEntity';
import { jiraRequestTokenCodec, type JiraRequestTokenEntity, type JiraRequestTokenKey } from './jiraRequestTokenEntity';

export class JiraAccessTokenTable extends TypedTable<JiraAccessTokenEntity, JiraAccessTokenKey, JiraTokenPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: jiraAccessTokenCodec });
  }

  /** Every user's token for one instance of a tenant, e.g. to revoke them with the instance. */
  listByInstance(tenantId: string, instanceId: string): AsyncIterableIterator<JiraAccessTokenEntity> {
    return this.query(`${this.partitionFilter({ tenantId })} and ${odata`instanceId eq ${instanceId}`}`);
  }
}

export class JiraRequestTokenTable extends TypedTable<JiraRequestTokenEntity, JiraRequestTokenKey, JiraTokenPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: jiraRequestTokenCodec });
  }

  /** A tenant's request tokens that expired before `time` (ISO), for clean-up. */
  listExpiredBefore(tenantId: string, time: string): AsyncIterableIterator<JiraRequestTokenEntity> {
    return this.query(`${this.partitionFilter({ tenantId })} and ${odata`expiresAt lt ${toTableDate(time, 'time')}`}`);
  }
}

/**
 * Table `jiraTokens`, PartitionKey tenantId. Two kinds of row: access tokens (RowKey
 * user.instance) and pending request tokens (RowKey `pending:` + hash of the token).
 */
export class JiraTokenRepository {
  readonly access: JiraAccessTokenTable;
  readonly pending: JiraRequestTokenTable;

  constructor(init: { client: TableClient }) {
    this.access = new JiraAccessTokenTable(init);
    this.pending = new JiraRequestTokenTable(init);
  }
}
