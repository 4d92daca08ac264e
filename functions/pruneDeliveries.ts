import type { TimerServiceHandler } from './FunctionDefinition';

/** Daily: deletes delivery records older than `DELIVERY_RETENTION`. */
export const pruneDeliveries: TimerServiceHandler = async (_timer, context, services) => {
  const result = await services.fanout.pruneDeliveries();
  services.logs.of(context).info(`pruned ${result.deleted} delivery record(s)${result.incomplete ? '; more left for the next run' : ''}`);
};
