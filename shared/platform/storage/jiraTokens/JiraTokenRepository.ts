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
import { usedPanelTokenCodec, type UsedPanelTokenEntity, type UsedPanelTokenKey } from './usedPanelTokenEntity';

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

export class UsedPanelTokenTable extends TypedTable<UsedPanelTokenEntity, UsedPanelTokenKey, JiraTokenPartition> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: usedPanelTokenCodec });
  }

  /** Up to `max` of a tenant's used panel tokens that expired before `time` (ISO), for clean-up. */
  async listExpiredBefore(tenantId: string, time: string, max: number): Promise<UsedPanelTokenEntity[]> {
    const filter = `${this.partitionFilter({ tenantId })} and ${odata`expiresAt lt ${toTableDate(time, 'time')}`}`;
    return (await this.queryPage(filter, { pageSize: max })).items;
  }
}

/**
 * Table `jiraTokens`, PartitionKey tenantId. Three kinds of row: access tokens (RowKey
 * user.instance), pending request tokens (RowKey `pending:` + hash of the token) and used
 * page tokens of the Jira app's admin panel (RowKey `panel:` + hash), all single-tenant
 * credentials from or for Jira.
 */
export class JiraTokenRepository {
  readonly access: JiraAccessTokenTable;
  readonly pending: JiraRequestTokenTable;
  readonly panelTokens: UsedPanelTokenTable;

  constructor(init: { client: TableClient }) {
    this.access = new JiraAccessTokenTable(init);
    this.pending = new JiraRequestTokenTable(init);
    this.panelTokens = new UsedPanelTokenTable(init);
  }
}
