import type { MailTrailEntity } from './mailTrailEntity';
import type { MailTrailRepository } from './MailTrailRepository';

/** The service's limit of entities per transaction; a trail row is at most ~10 KiB, far inside the 4 MiB of a batch. */
const MAX_ROWS_PER_WRITE = 100;

interface Waiting {
  entity: MailTrailEntity;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A tenant's rows waiting for the write in flight to end; `writing` while one is. */
interface TenantRows {
  waiting: Waiting[];
  writing: boolean;
}

/**
 * Writes the fan-out's trail rows, each awaited as a plain `upsert` is (so a mail's row is
 * stored before its message is acknowledged, and a crash loses nothing it did not before),
 * but as a group commit: while one write of a tenant is in flight, the rows of that tenant's
 * other mails wait and then go together in one entity group transaction (one partition per
 * tenant). A lone mail pays the one `upsert` it always did; mails handled side by side, as
 * the queue trigger runs a batch of them, share a request (issue 18: storage requests per
 * mail). A failed write fails each row it carried, which the fan-out reports and moves past.
 */
export class MailTrailWriter {
  private readonly repository: Pick<MailTrailRepository, 'upsertAll'>;
  private readonly tenants = new Map<string, TenantRows>();

  constructor(init: { repository: Pick<MailTrailRepository, 'upsertAll'> }) {
    this.repository = init.repository;
  }

  /** Resolves once the row is stored (alone, or with others of its tenant). */
  upsert(entity: MailTrailEntity): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let rows = this.tenants.get(entity.tenantId);
      if (rows === undefined) {
        rows = { waiting: [], writing: false };
        this.tenants.set(entity.tenantId, rows);
      }
      rows.waiting.push({ entity, resolve, reject });
      if (!rows.writing) void this.drain(entity.tenantId, rows);
    });
  }

  private async drain(tenantId: string, rows: TenantRows): Promise<void> {
    rows.writing = true;
    while (rows.waiting.length > 0) {
      const batch = rows.waiting.splice(0, MAX_ROWS_PER_WRITE);
      // A transaction may not name a row twice: a mail handled twice at once (a redelivery) keeps its later row.
      const latest = new Map<string, MailTrailEntity>();
      for (const { entity } of batch) latest.set(`${entity.userId}\n${entity.messageId}`, entity);
      try {
        await this.repository.upsertAll([...latest.values()]);
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    rows.writing = false;
    this.tenants.delete(tenantId);
  }
}
