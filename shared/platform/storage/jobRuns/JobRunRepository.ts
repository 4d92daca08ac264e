import type { TableClient } from '@azure/data-tables';
import { TypedTable } from '../TypedTable';
import { jobRunCodec, type JobRunEntity, type JobRunKey } from './jobRunEntity';

/** Table `jobRuns`: PartitionKey the job's name (encoded), RowKey `''`. */
export class JobRunRepository extends TypedTable<JobRunEntity, JobRunKey, JobRunKey> {
  constructor(init: { client: TableClient }) {
    super({ client: init.client, codec: jobRunCodec });
  }

  /**
   * Records a finished run. The timer runs one instance at a time (a Functions timer is a
   * singleton), so a read and a replace suffice to keep the last success through a failed run.
   */
  async recordRun(run: { job: string; at: string; succeeded: boolean }): Promise<void> {
    const previous = await this.get({ job: run.job });
    await this.upsert({
      job: run.job,
      lastRunAt: run.at,
      lastSucceeded: run.succeeded,
      lastSuccessAt: run.succeeded ? run.at : previous?.lastSuccessAt,
    });
  }
}
