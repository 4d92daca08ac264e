/** The message id at the end of a resource path such as `Users/{userId}/Messages/{messageId}`. */
export function messageIdOfResource(resource: string): string | undefined {
  const match = /\/messages\/([^/?]+)$/i.exec(resource) ?? /\/messages\('([^']+)'\)$/i.exec(resource);
  return match?.[1];
}
