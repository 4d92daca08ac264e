import { AppError } from '../../platform/errors/AppError';
import { notificationBatchSchema, type NotificationBatch } from './notificationBatchSchema';

/** Malformed JSON or envelope → 400 problem+json (Graph does not retry a 4xx). */
export function parseNotificationBatch(text: string): NotificationBatch {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new AppError({ code: 'invalid_json' });
  }
  const parsed = notificationBatchSchema.safeParse(json);
  if (!parsed.success) throw new AppError({ code: 'invalid_body', detail: 'expected { value: [...], validationTokens?: [...] }' });
  return parsed.data;
}
