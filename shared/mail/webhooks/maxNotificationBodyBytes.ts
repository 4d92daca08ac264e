/** Rich notification batches carry encrypted mail fields; a few MB covers the largest Graph sends. */
export const MAX_NOTIFICATION_BODY_BYTES = 8 * 1024 * 1024;
