import { RestError } from '@azure/core-rest-pipeline';
import { z } from 'zod';
import { AppError } from '../../errors/AppError';

/** The parts of an answer to a `$batch` that are read. */
export interface TableBatchAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

const odataErrorSchema = z.object({
  'odata.error': z.object({
    code: z.string(),
    message: z.object({ value: z.string() }).optional(),
  }),
});

const BOUNDARY = /boundary=([^\s;]+)/;
const STATUS_LINE = /^HTTP\/1\.1 (\d{3})\b/m;
/** The service prefixes a failed change set's message with the 0-based index of the failing operation, e.g. `1:The specified entity already exists.` */
const FAILED_INDEX = /^(\d+):/;

/**
 * Checks the answer to one entity group transaction of `operations` operations, or throws.
 * The service answers 202 to a batch it read, whatever became of the change set: every
 * operation's own status is in a part of the multipart body. A change set that failed is
 * answered by ONE part, the failing operation's status and error (nothing was written);
 * learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions. Throws
 * the storage SDKs' `RestError` (status, the service's code in `details.errorCode`, the
 * failing index in `details.failedIndex`), as a failed SDK call does, so callers read both
 * alike; an answer that is not of that shape is storage misbehaving (`storage_unavailable`).
 */
export function fromTableBatchResponse(answer: TableBatchAnswer, operations: number): void {
  if (answer.status !== 202) throw toBatchError(answer.status, answer.body);
  const batchBoundary = BOUNDARY.exec(answer.contentType ?? '')?.[1];
  // The change set's boundary is declared inside the batch's single part.
  const changesetBoundary = BOUNDARY.exec(answer.body)?.[1];
  if (!batchBoundary) throw malformed('no multipart answer');
  if (!changesetBoundary) {
    // A batch the service could not take apart is answered by one part outside any change set.
    const status = STATUS_LINE.exec(answer.body)?.[1];
    if (status !== undefined && Number(status) > 299) throw toBatchError(Number(status), bodyOf(answer.body));
    throw malformed('no change set in the answer');
  }
  const parts = answer.body.split(`--${changesetBoundary}`).slice(1, -1);
  const statuses = parts.map((part) => {
    const status = STATUS_LINE.exec(part)?.[1];
    if (status === undefined) throw malformed('a part without a status line');
    return { status: Number(status), part };
  });
  const failed = statuses.find(({ status }) => status < 200 || status > 299);
  if (failed) throw toBatchError(failed.status, bodyOf(failed.part));
  if (statuses.length !== operations) throw malformed(`${statuses.length} answers to ${operations} operations`);
}

function toBatchError(status: number, body: string): RestError {
  const parsed = odataErrorSchema.safeParse(safeJson(body));
  const code = parsed.success ? parsed.data['odata.error'].code : undefined;
  const index = parsed.success ? FAILED_INDEX.exec(parsed.data['odata.error'].message?.value ?? '')?.[1] : undefined;
  // The message is not kept: the service's text may quote a key; the code and index say what failed.
  const error = new RestError(`table transaction answered ${status}${code ? ` ${code}` : ''}`, {
    statusCode: status,
    ...(code === undefined ? {} : { code }),
  });
  error.details = { errorCode: code, failedIndex: index === undefined ? undefined : Number(index) };
  return error;
}

function bodyOf(part: string): string {
  const start = part.indexOf('{');
  return start < 0 ? '' : part.slice(start, part.lastIndexOf('}') + 1);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function malformed(what: string): AppError {
  return new AppError({ code: 'storage_unavailable', detail: `table transaction: unexpected answer from storage (${what})` });
}
