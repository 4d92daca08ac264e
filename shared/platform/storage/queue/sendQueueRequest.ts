import { RestError } from '@azure/core-rest-pipeline';
import type { StorageQueueClient } from '../QueueClientFactory';
import { sendStorageRequest } from '../sendStorageRequest';

/** The service version the queue SDK (12.30.0) declares on its own calls; Put Message and Delete Message read the same in it. */
const QUEUE_SERVICE_VERSION = '2026-04-06';
/** `<Code>` of the Queue service's error body, when no `x-ms-error-code` header carries it. */
const ERROR_CODE = /<Code>(\w{1,64})<\/Code>/;

export interface QueueRequestInit {
  /** After the queue's URL: `/messages`, `/messages/<id>`. */
  path: string;
  params: Record<string, string>;
  method: 'POST' | 'DELETE';
  body?: string;
  /** The one status that means done (Put Message 201, Delete Message 204). */
  expectedStatus: number;
  abortSignal?: AbortSignal;
}

/**
 * One Queue service REST call of the app's own through the queue client's pipeline
 * (`sendStorageRequest`); any status but the expected one throws the storage SDKs' `RestError`
 * (status, the service's code in `code` and `details.errorCode`), as the SDK's own calls do, so
 * `toStorageError` and every caller read it alike. The service's message is not kept: it could
 * quote the request.
 */
export async function sendQueueRequest(client: StorageQueueClient, init: QueueRequestInit): Promise<void> {
  const response = await sendStorageRequest(client.corePipeline, {
    url: queueUrl(client.url, init.path, init.params),
    method: init.method,
    headers: {
      'x-ms-version': QUEUE_SERVICE_VERSION,
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/xml; charset=utf-8' }),
    },
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.abortSignal === undefined ? {} : { abortSignal: init.abortSignal }),
    unreadStatus: init.expectedStatus,
  });
  if (response.status === init.expectedStatus) return;
  const code = response.headers.get('x-ms-error-code') ?? ERROR_CODE.exec(response.bodyAsText ?? '')?.[1];
  const error = new RestError(`queue answered ${response.status}${code ? ` ${code}` : ''}`, {
    statusCode: response.status,
    ...(code === undefined ? {} : { code }),
  });
  error.details = { errorCode: code };
  throw error;
}

/** The queue's URL, then `path`; a SAS in the client's URL (a SAS connection string) is kept verbatim, before the call's own parameters. */
function queueUrl(clientUrl: string, path: string, params: Record<string, string>): string {
  const queryAt = clientUrl.indexOf('?');
  const base = (queryAt < 0 ? clientUrl : clientUrl.slice(0, queryAt)).replace(/\/+$/, '');
  const query = [
    ...(queryAt < 0 || queryAt === clientUrl.length - 1 ? [] : [clientUrl.slice(queryAt + 1)]),
    ...Object.entries(params).map(([name, value]) => `${name}=${encodeURIComponent(value)}`),
  ];
  return `${base}${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}
