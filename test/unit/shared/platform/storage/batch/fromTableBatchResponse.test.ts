import { fromTableBatchResponse } from '../../../../../../shared/platform/storage/batch/fromTableBatchResponse';
import { isAppError } from '../../../../../../shared/platform/errors/AppError';

/** An answer as the Table service (and Azurite 3.35) shapes it: the batch, one change set, a part per operation. */
function answer(parts: string[]): { status: number; contentType: string; body: string } {
  const body = [
    '--batchresponse_b',
    'Content-Type: multipart/mixed; boundary=changesetresponse_c',
    '',
    ...parts.map((part) => `--changesetresponse_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${part}`),
    '--changesetresponse_c--',
    '--batchresponse_b--',
    '',
  ].join('\r\n');
  return { status: 202, contentType: 'multipart/mixed; boundary=batchresponse_b', body };
}

const noContent = 'HTTP/1.1 204 No Content\r\nContent-ID: 1\r\nDataServiceVersion: 3.0;\r\n';

function failure(status: string, code: string, message: string): string {
  const error = JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value: message } } });
  return `HTTP/1.1 ${status}\r\nContent-ID: 2\r\nContent-Type: application/json;odata=minimalmetadata;charset=utf-8\r\n\r\n${error}\r\n`;
}

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('fromTableBatchResponse', () => {
  it('accepts an answer with one success per operation', () => {
    expect(() => fromTableBatchResponse(answer([noContent, noContent, noContent]), 3)).not.toThrow();
  });

  it('reports a failed change set by the failing operation: its status, code and index', () => {
    const error = thrown(() =>
      fromTableBatchResponse(
        answer([failure('409 Conflict', 'EntityAlreadyExists', '1:The specified entity already exists.\nRequestId:x')]),
        3,
      ),
    );
    expect(error).toMatchObject({
      statusCode: 409,
      code: 'EntityAlreadyExists',
      details: { errorCode: 'EntityAlreadyExists', failedIndex: 1 },
    });
    // The service's message can quote a key: it is not carried.
    expect((error as Error).message).not.toContain('already exists');
  });

  it('reports a refused batch by its own status and code', () => {
    const body = JSON.stringify({
      'odata.error': { code: 'AuthenticationFailed', message: { value: 'Server failed to authenticate the request.' } },
    });
    const error = thrown(() => fromTableBatchResponse({ status: 403, contentType: 'application/json', body }, 2));
    expect(error).toMatchObject({ statusCode: 403, details: { errorCode: 'AuthenticationFailed' } });
  });

  it('reports a throttled batch as 503 even when its body is not JSON', () => {
    const error = thrown(() => fromTableBatchResponse({ status: 503, contentType: 'text/html', body: '<html>busy</html>' }, 2));
    expect(error).toMatchObject({ statusCode: 503, details: { errorCode: undefined } });
  });

  it('reports a batch the service could not take apart (one part outside any change set)', () => {
    const body =
      '--batchresponse_b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n' +
      'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n' +
      JSON.stringify({ 'odata.error': { code: 'InvalidInput', message: { value: '0:Bad Request - Error in query syntax.' } } }) +
      '\r\n--batchresponse_b--\r\n';
    const error = thrown(() => fromTableBatchResponse({ status: 202, contentType: 'multipart/mixed; boundary=batchresponse_b', body }, 1));
    expect(error).toMatchObject({ statusCode: 400, details: { errorCode: 'InvalidInput', failedIndex: 0 } });
  });

  it.each([
    ['fewer answers than operations', answer([noContent, noContent]), 3],
    ['a part without a status line', answer(['Content-ID: 1\r\n']), 1],
    ['a 202 that is not multipart', { status: 202, contentType: 'application/json', body: '{}' }, 1],
  ])('treats %s as storage misbehaving, never as success', (_name, reply, operations) => {
    const error = thrown(() => fromTableBatchResponse(reply, operations));
    expect(isAppError(error) && error.code).toBe('storage_unavailable');
  });
});
