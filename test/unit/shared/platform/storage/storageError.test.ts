import { RestError } from '@azure/data-tables';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import { storageErrorCodeOf, storageStatusOf, toStorageError } from '../../../../../shared/platform/storage/storageError';

const restError = (statusCode: number | undefined, errorCode?: string) => {
  const error = new RestError('https://acct.table.core.windows.net/t?sig=SECRET failed', statusCode === undefined ? {} : { statusCode });
  if (errorCode) error.details = { errorCode };
  return error;
};

describe('toStorageError', () => {
  it('makes no answer, 5xx, 408 and 429 a 503 storage_unavailable', () => {
    for (const status of [undefined, 500, 503, 408, 429])
      expect(toStorageError(restError(status), 'read x').code).toBe('storage_unavailable');
    expect(toStorageError(new Error('ECONNREFUSED'), 'read x').code).toBe('storage_unavailable');
  });

  it('makes any other answer a 500 storage_request_failed naming the service code, never the message', () => {
    const error = toStorageError(restError(400, 'PropertyValueTooLarge'), 'write links');
    expect(error.code).toBe('storage_request_failed');
    expect(error.detail).toBe('write links: storage answered 400 PropertyValueTooLarge');
    expect(error.message).not.toContain('SECRET');
  });

  it('passes an AppError through and reads status and code of SDK errors', () => {
    const appError = new AppError({ code: 'storage_key_invalid' });
    expect(toStorageError(appError, 'x')).toBe(appError);
    expect(storageStatusOf(restError(409, 'EntityAlreadyExists'))).toBe(409);
    expect(storageErrorCodeOf(restError(409, 'EntityAlreadyExists'))).toBe('EntityAlreadyExists');
    expect(storageErrorCodeOf({ details: { odataError: { code: 'TableNotFound' } } })).toBe('TableNotFound');
    expect(storageStatusOf('nope')).toBeUndefined();
  });
});
