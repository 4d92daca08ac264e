import { toTableBatchRequest } from '../../../../../../shared/platform/storage/batch/toTableBatchRequest';

const tableUrl = 'https://acct.table.core.windows.net/deliveries';

function partsOf(body: string, changesetId: string): string[] {
  return body.split(`--changeset_${changesetId}`).slice(1, -1);
}

describe('toTableBatchRequest', () => {
  it('wraps the operations in one change set of one batch, each an application/http part', () => {
    const { contentType, body } = toTableBatchRequest({
      tableUrl,
      batchId: 'b1',
      changesetId: 'c1',
      actions: [
        { kind: 'insert', row: { partitionKey: 'p', rowKey: 'a', state: 'pending' } },
        { kind: 'upsert', row: { partitionKey: 'p', rowKey: 'b', state: 'sent' } },
      ],
    });
    expect(contentType).toBe('multipart/mixed; boundary=batch_b1');
    expect(body.startsWith('--batch_b1\r\nContent-Type: multipart/mixed; boundary=changeset_c1\r\n\r\n')).toBe(true);
    expect(body.endsWith('--changeset_c1--\r\n--batch_b1--\r\n')).toBe(true);
    const parts = partsOf(body, 'c1');
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part).toContain('\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n');
    expect(parts[0]).toContain(`\r\nPOST ${tableUrl} HTTP/1.1\r\n`);
    expect(parts[0]).toContain('\r\nPrefer: return-no-content\r\n');
    expect(parts[1]).toContain(`\r\nPUT ${tableUrl}(PartitionKey='p',RowKey='b') HTTP/1.1\r\n`);
    expect(parts[1]).not.toContain('If-Match');
  });

  it('makes an update conditional on its ETag, and only an update', () => {
    const etag = `W/"datetime'2026-12-03T10%3A00%3A00.0000000Z'"`;
    const { body } = toTableBatchRequest({
      tableUrl,
      batchId: 'b',
      changesetId: 'c',
      actions: [{ kind: 'update', row: { partitionKey: 'p', rowKey: 'r', n: 1 }, etag }],
    });
    expect(partsOf(body, 'c')[0]).toContain(`\r\nIf-Match: ${etag}\r\n`);
  });

  it("quotes a key's quote by doubling it and percent-encodes the rest of the key in the URL", () => {
    const { body } = toTableBatchRequest({
      tableUrl,
      batchId: 'b',
      changesetId: 'c',
      actions: [{ kind: 'upsert', row: { partitionKey: "o'brien", rowKey: 'a b#c', n: 1 } }],
    });
    expect(body).toContain(`PUT ${tableUrl}(PartitionKey='o''brien',RowKey='a%20b%23c') HTTP/1.1`);
  });

  it('sends the row as the service names its keys, dates typed Edm.DateTime, other values as they are', () => {
    const { body } = toTableBatchRequest({
      tableUrl,
      batchId: 'b',
      changesetId: 'c',
      actions: [
        {
          kind: 'insert',
          row: {
            partitionKey: 'p',
            rowKey: 'r',
            attempts: 2,
            ratio: 0.5,
            done: false,
            note: '{"not":"json"}',
            at: new Date('2026-12-03T10:00:00.000Z'),
          },
        },
      ],
    });
    const part = partsOf(body, 'c')[0]!;
    const json: unknown = JSON.parse(part.slice(part.indexOf('{'), part.lastIndexOf('}') + 1));
    expect(json).toEqual({
      PartitionKey: 'p',
      RowKey: 'r',
      attempts: 2,
      ratio: 0.5,
      done: false,
      note: '{"not":"json"}',
      at: '2026-12-03T10:00:00.000Z',
      'at@odata.type': 'Edm.DateTime',
    });
  });
});
