import type { TableBatchAction } from './TableBatchAction';

export interface TableBatchRequest {
  /** `multipart/mixed; boundary=batch_…`, the request's Content-Type. */
  contentType: string;
  body: string;
}

const CRLF = '\r\n';

/**
 * The OData `$batch` body of one entity group transaction: one batch holding one change set,
 * one `application/http` part per operation (the format of "Performing entity group
 * transactions", learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions).
 * The part headers are the ones @azure/data-tables 13.3 sends for the same operations, so the
 * service sees the same requests; the SDK builds them by running every operation through an
 * intercepting client of its own, a pipeline per transaction, which is what this spares.
 * `tableUrl` is the table's URL without a query (`https://account.table.core.windows.net/name`);
 * `batchId` and `changesetId` make the boundaries (random, never found in a JSON body).
 */
export function toTableBatchRequest(init: {
  tableUrl: string;
  actions: readonly TableBatchAction[];
  batchId: string;
  changesetId: string;
}): TableBatchRequest {
  const batch = `batch_${init.batchId}`;
  const changeset = `changeset_${init.changesetId}`;
  const parts = init.actions.map((action) =>
    [
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      ...subRequestHead(init.tableUrl, action),
      '',
      JSON.stringify(toODataEntity(action.row)),
    ].join(CRLF),
  );
  const body = [
    `--${batch}`,
    `Content-Type: multipart/mixed; boundary=${changeset}`,
    '',
    ...parts,
    `--${changeset}--`,
    `--${batch}--`,
    '',
  ].join(CRLF);
  return { contentType: `multipart/mixed; boundary=${batch}`, body };
}

function subRequestHead(tableUrl: string, action: TableBatchAction): string[] {
  if (action.kind === 'insert') {
    return [
      `POST ${tableUrl} HTTP/1.1`,
      'Content-Type: application/json;odata=nometadata',
      'Accept: application/json;odata=minimalmetadata',
      'DataServiceVersion: 3.0',
      'Prefer: return-no-content',
    ];
  }
  const head = [
    `PUT ${tableUrl}(PartitionKey='${keyInUrl(action.row.partitionKey)}',RowKey='${keyInUrl(action.row.rowKey)}') HTTP/1.1`,
    'Content-Type: application/json',
    'DataServiceVersion: 3.0',
    'Accept: application/json',
  ];
  // Without If-Match a PUT is Insert Or Replace; with it, Update Entity (only while the ETag holds).
  return action.kind === 'update' ? [...head, `If-Match: ${action.etag}`] : head;
}

/** OData quotes a quote by doubling it; the rest is percent-encoded, as the SDK does. */
function keyInUrl(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

/** The row as the service's JSON: keys renamed, dates typed (numbers, strings and booleans infer their type, as the SDK leaves them). */
function toODataEntity(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const entity: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    const property = name === 'partitionKey' ? 'PartitionKey' : name === 'rowKey' ? 'RowKey' : name;
    if (value instanceof Date) {
      entity[property] = value.toISOString();
      entity[`${property}@odata.type`] = 'Edm.DateTime';
    } else {
      entity[property] = value;
    }
  }
  return entity;
}
