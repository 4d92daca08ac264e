import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { sendStorageRequest } from '../sendStorageRequest';
import { fromTableBatchResponse } from './fromTableBatchResponse';
import type { TableBatchAction } from './TableBatchAction';
import { toTableBatchRequest } from './toTableBatchRequest';

/** The service version the SDK's own transactions declare (13.3.2); the part formats above are this version's. */
const BATCH_SERVICE_VERSION = '2019-02-02';

/**
 * Sends one entity group transaction through the table client's OWN pipeline
 * (`sendStorageRequest`). `TableClient.submitTransaction` builds
 * a new TableClient, pipeline and intercepting transaction per call (13.3.2,
 * TableClient.js `submitTransaction`); this builds the body once as text
 * (`toTableBatchRequest`) and checks every operation's answer (`fromTableBatchResponse`).
 * Resolves when every operation succeeded; throws the SDK's `RestError` when the change set
 * failed (nothing written) or the batch was refused.
 */
export async function submitTableBatch(client: TableClient, actions: readonly TableBatchAction[]): Promise<void> {
  const batchId = randomUUID();
  const { contentType, body } = toTableBatchRequest({ tableUrl: tableUrlOf(client), actions, batchId, changesetId: randomUUID() });
  const response = await sendStorageRequest(client.pipeline, {
    url: batchUrlOf(client),
    method: 'POST',
    body,
    headers: {
      Accept: 'application/json',
      'Content-Type': contentType,
      'x-ms-version': BATCH_SERVICE_VERSION,
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
    },
  });
  fromTableBatchResponse(
    { status: response.status, contentType: response.headers.get('content-type'), body: response.bodyAsText ?? '' },
    actions.length,
  );
}

/** A SAS in the client's URL (a SAS connection string) authorizes the batch, so it follows `$batch`, as the SDK places it. */
function batchUrlOf(client: TableClient): string {
  const query = client.url.indexOf('?');
  return `${accountUrlOf(client)}/$batch${query < 0 ? '' : client.url.slice(query)}`;
}

/** The account's URL (the client's, without a trailing slash or query). */
function accountUrlOf(client: TableClient): string {
  return client.url.split('?')[0]!.replace(/\/+$/, '');
}

function tableUrlOf(client: TableClient): string {
  return `${accountUrlOf(client)}/${client.tableName}`;
}
