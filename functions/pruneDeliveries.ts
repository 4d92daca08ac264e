import { pruneOldDeliveries } from '../shared/mail/fanout/pruneOldDeliveries';
import type { TimerServiceHandler } from './FunctionDefinition';

/** Daily: deletes delivery records older than `DELIVERY_RETENTION`. */
export const pruneDeliveries: TimerServiceHandler = async (_timer, context, services) => {
  const result = await pruneOldDeliveries({
    repository: services.repositories.deliveries,
    clock: services.clock,
    retentionSeconds: services.config.settings.DELIVERY_RETENTION,
  });
  context.log(`pruned ${result.deleted} delivery record(s)${result.incomplete ? '; more left for the next run' : ''}`);
};
