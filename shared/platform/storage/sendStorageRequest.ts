import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineResponse,
  type RawHttpHeadersInput,
} from '@azure/core-rest-pipeline';
import { isInsecureEndpoint } from './connectionStringEndpoint';
import type { StoragePipeline } from './StorageRequestCounter';

export interface StorageRequestInit {
  url: string;
  method: 'POST' | 'DELETE';
  headers: RawHttpHeadersInput;
  body?: string;
  abortSignal?: AbortSignal;
  /**
   * The status whose answer the caller never reads (Put Message's XML): that answer is drained
   * unread. Buffered, the pipeline's deserialization would parse it, a third of a put's CPU.
   */
  unreadStatus?: number;
}

let sharedHttpClient: HttpClient | undefined;

/**
 * Sends a request the app writes itself (a table transaction, a queue put or delete) through a
 * storage client's OWN pipeline: its credential signs it, its retry policy retries it, and the
 * policies added to it (`StorageRequestCounter`, request spans) count and trace it like any other
 * call of that client. What it skips is the SDK's operation layer (serializers, XML, mappers),
 * which costs more than the HTTP exchange on the fan-out's hot path (docs/performance.md).
 * An emulator's http endpoint gets the same opt-in the factories give the clients themselves.
 */
export async function sendStorageRequest(pipeline: StoragePipeline, init: StorageRequestInit): Promise<PipelineResponse> {
  const request = createPipelineRequest({
    url: init.url,
    method: init.method,
    headers: createHttpHeaders(init.headers),
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.abortSignal === undefined ? {} : { abortSignal: init.abortSignal }),
    allowInsecureConnection: isInsecureEndpoint(init.url),
  });
  if (init.unreadStatus !== undefined) request.streamResponseStatusCodes = new Set([init.unreadStatus]);
  // One keep-alive pool per process for every such request, like the SDKs' cached default client.
  sharedHttpClient ??= createDefaultHttpClient();
  const response = await pipeline.sendRequest(sharedHttpClient, request);
  // Read to its end, so that the connection goes back to the pool; the answer already told all.
  if (response.status === init.unreadStatus) response.readableStreamBody?.on('error', ignore).resume();
  return response;
}

function ignore(): void {}
