import { z } from 'zod';

/**
 * A table property that holds JSON (Table Storage has no list type): the stored text parsed,
 * then checked with `schema`, so a corrupt row fails as any other invalid row does.
 */
export function jsonColumn<T extends z.ZodType>(name: string, schema: T) {
  return z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: `${name}: not JSON` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
