import { odata, type TableClient } from '@azure/data-tables';
import { AppError, isAppError } from '../errors/AppError';
import type { TableBatchAction } from './batch/TableBatchAction';
import { submitTableBatch } from './batch/submitTableBatch';
import { storageErrorCodeOf, storageStatusOf, toStorageError } from './storageError';
import { assertKeyLength } from './tableKey';

export type TableProperty = string | number | boolean | Date;

/** What a converter writes: the keys and the typed properties, no undefined values. */
export interface TableRow {
  partitionKey: string;
  rowKey: string;
  [property: string]: TableProperty;
}

/**
 * How one entity type maps to rows. `E` is the entity, `K` the fields that make its key,
 * `P` the fields that make its partition; the entity carries its key fields, so the keys of
 * a row read back can be checked against its content.
 */
export interface TableCodec<E extends K, K extends P, P> {
  table: string;
  partitionKey(partition: P): string;
  rowKey(key: K): string;
  toTableEntity(entity: E): TableRow;
  /** Validates with zod; throws AppError `storage_row_invalid` for a corrupt row. */
  fromTableEntity(row: Readonly<Record<string, unknown>>): E;
  /** An OData condition that only this entity's rows meet, for a table shared by two kinds of row. */
  kindFilter?: string;
}

export interface Versioned<E> {
  entity: E;
  /** Pass to `update` / `deleteIfMatch` to change the row only if nobody changed it since. */
  etag: string;
}

export interface PageRequest {
  /** At most 1000 (the service's limit per page). */
  pageSize?: number;
  continuationToken?: string;
}

export interface EntityPage<E> {
  items: E[];
  /** Absent on the last page. */
  continuationToken?: string;
}

const DEFAULT_PAGE_SIZE = 100;
/** The service's limit per entity group transaction. */
const MAX_TRANSACTION_ENTITIES = 100;

/**
 * The operations every repository shares over one Azure table, typed by a codec: point
 * reads, upsert, conditional insert and update (optimistic concurrency with ETags),
 * idempotent delete and paged queries. Storage failures become AppErrors here.
 */
export class TypedTable<E extends K, K extends P, P> {
  protected readonly client: TableClient;
  protected readonly codec: TableCodec<E, K, P>;

  constructor(init: { client: TableClient; codec: TableCodec<E, K, P> }) {
    this.client = init.client;
    this.codec = init.codec;
  }

  /** The entity, or undefined when there is no such row. */
  async get(key: K): Promise<E | undefined> {
    return (await this.getVersioned(key))?.entity;
  }

  async getVersioned(key: K): Promise<Versioned<E> | undefined> {
    const { partitionKey, rowKey } = this.keysOf(key);
    let row: Readonly<Record<string, unknown>> & { etag: string };
    try {
      row = await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (error) {
      if (isMissingEntity(error)) return undefined;
      throw toStorageError(error, `read from ${this.codec.table}`);
    }
    return { entity: this.read(row), etag: row.etag };
  }

  /** Writes the entity whatever is there (replacing every property). */
  async upsert(entity: E): Promise<void> {
    const row = this.write(entity);
    try {
      await this.client.upsertEntity(row, 'Replace');
    } catch (error) {
      throw toStorageError(error, `write to ${this.codec.table}`);
    }
  }

  /** Inserts only if no row has this key; false when one already does (another writer won). */
  async insert(entity: E): Promise<boolean> {
    const row = this.write(entity);
    try {
      await this.client.createEntity(row);
      return true;
    } catch (error) {
      if (storageStatusOf(error) === 409 && isEntityCode(error, 'EntityAlreadyExists')) return false;
      throw toStorageError(error, `insert into ${this.codec.table}`);
    }
  }

  /**
   * Inserts every entity or none, in one entity group transaction (one request): all must
   * share a partition, at most 100 (the service's limits: learn.microsoft.com/rest/api/
   * storageservices/performing-entity-group-transactions). False when any of them exists
   * already: the transaction is atomic, so then nothing was written and the caller decides
   * row by row. One entity is a plain insert, without the batch's envelope.
   */
  async insertAll(entities: readonly E[]): Promise<boolean> {
    if (entities.length === 1) return this.insert(entities[0]!);
    try {
      await this.transact(entities.map((entity) => ({ kind: 'insert', row: this.write(entity) })));
      return true;
    } catch (error) {
      if (storageStatusOf(error) === 409 && isEntityCode(error, 'EntityAlreadyExists')) return false;
      throw toStorageError(error, `insert into ${this.codec.table}`);
    }
  }

  /** `upsert` of several entities of one partition in one entity group transaction (see `insertAll`). */
  async upsertAll(entities: readonly E[]): Promise<void> {
    if (entities.length === 1) return this.upsert(entities[0]!);
    try {
      await this.transact(entities.map((entity) => ({ kind: 'upsert', row: this.write(entity) })));
    } catch (error) {
      throw toStorageError(error, `write to ${this.codec.table}`);
    }
  }

  /**
   * Replaces the row only if it still has this ETag; false when it changed or was deleted
   * since it was read, so the caller re-reads and decides again.
   */
  async update(entity: E, etag: string): Promise<boolean> {
    const row = this.write(entity);
    try {
      await this.client.updateEntity(row, 'Replace', { etag });
      return true;
    } catch (error) {
      if (storageStatusOf(error) === 412 || isMissingEntity(error)) return false;
      throw toStorageError(error, `update in ${this.codec.table}`);
    }
  }

  /** Deletes the row; deleting a row that is not there is not an error. */
  async delete(key: K): Promise<void> {
    const { partitionKey, rowKey } = this.keysOf(key);
    try {
      await this.client.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (isMissingEntity(error)) return;
      throw toStorageError(error, `delete from ${this.codec.table}`);
    }
  }

  /** Deletes the row only if it still has this ETag; false when it changed since it was read. */
  async deleteIfMatch(key: K, etag: string): Promise<boolean> {
    const { partitionKey, rowKey } = this.keysOf(key);
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag });
      return true;
    } catch (error) {
      if (isMissingEntity(error)) return true;
      if (storageStatusOf(error) === 412) return false;
      throw toStorageError(error, `delete from ${this.codec.table}`);
    }
  }

  /** Every entity of one partition, fetched page by page as the caller iterates. */
  listPartition(partition: P): AsyncIterableIterator<E> {
    return this.query(this.partitionFilter(partition));
  }

  async listPartitionPage(partition: P, page: PageRequest = {}): Promise<EntityPage<E>> {
    return this.queryPage(this.partitionFilter(partition), page);
  }

  /** Entities matching an OData filter (build it with `odata` from @azure/data-tables). */
  async *query(filter: string): AsyncIterableIterator<E> {
    const rows = this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter: this.withKind(filter) } });
    const iterator = rows[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Record<string, unknown>>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw toStorageError(error, `query ${this.codec.table}`);
      }
      if (next.done) return;
      yield this.read(next.value);
    }
  }

  async queryPage(filter: string, page: PageRequest = {}): Promise<EntityPage<E>> {
    const maxPageSize = Math.min(Math.max(page.pageSize ?? DEFAULT_PAGE_SIZE, 1), 1000);
    try {
      const pages = this.client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: this.withKind(filter) } })
        .byPage(page.continuationToken === undefined ? { maxPageSize } : { maxPageSize, continuationToken: page.continuationToken });
      const next = await pages.next();
      if (next.done) return { items: [] };
      const items = next.value.map((row) => this.read(row));
      return next.value.continuationToken === undefined ? { items } : { items, continuationToken: next.value.continuationToken };
    } catch (error) {
      throw toStorageError(error, `query ${this.codec.table}`);
    }
  }

  private async transact(actions: TableBatchAction[]): Promise<void> {
    if (actions.length === 0) return;
    const partitions = new Set(actions.map(({ row }) => row.partitionKey));
    if (partitions.size > 1 || actions.length > MAX_TRANSACTION_ENTITIES) {
      throw new AppError({
        code: 'internal',
        detail: `a transaction on ${this.codec.table} must stay in one partition and hold at most ${MAX_TRANSACTION_ENTITIES} entities`,
      });
    }
    await submitTableBatch(this.client, actions);
  }

  protected partitionFilter(partition: P): string {
    return odata`PartitionKey eq ${assertKeyLength(this.codec.partitionKey(partition))}`;
  }

  /**
   * A filter for every partition whose key starts with `prefix`: the range [prefix,
   * prefix with its last character incremented). Table Storage has no `startswith`.
   */
  protected partitionPrefixFilter(prefix: string): string {
    const last = prefix.charCodeAt(prefix.length - 1);
    const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    return odata`PartitionKey ge ${prefix} and PartitionKey lt ${upper}`;
  }

  private withKind(filter: string): string {
    return this.codec.kindFilter ? `(${filter}) and (${this.codec.kindFilter})` : filter;
  }

  private keysOf(key: K): { partitionKey: string; rowKey: string } {
    return { partitionKey: assertKeyLength(this.codec.partitionKey(key)), rowKey: assertKeyLength(this.codec.rowKey(key)) };
  }

  private write(entity: E): TableRow {
    const row = this.codec.toTableEntity(entity);
    assertKeyLength(row.partitionKey);
    assertKeyLength(row.rowKey);
    return row;
  }

  private read(row: Readonly<Record<string, unknown>>): E {
    const entity = this.codec.fromTableEntity(row);
    // The keys are derived from the fields; a row whose keys disagree was not written by us.
    let consistent: boolean;
    try {
      consistent = this.codec.partitionKey(entity) === row.partitionKey && this.codec.rowKey(entity) === row.rowKey;
    } catch (error) {
      if (!isAppError(error)) throw error;
      consistent = false;
    }
    if (!consistent) {
      throw new AppError({
        code: 'storage_row_invalid',
        detail: `a row of table ${this.codec.table} has keys that do not match its fields`,
      });
    }
    return entity;
  }
}

/** 404 for the row, not for the table: a missing table is a deployment fault and must be loud. */
function isMissingEntity(error: unknown): boolean {
  return storageStatusOf(error) === 404 && storageErrorCodeOf(error) !== 'TableNotFound';
}

function isEntityCode(error: unknown, code: string): boolean {
  // A failed transaction's RestError carries the sub-response's code as `code`, not in `details`.
  const actual = storageErrorCodeOf(error) ?? transactionCodeOf(error);
  return actual === undefined || actual === code;
}

function transactionCodeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
