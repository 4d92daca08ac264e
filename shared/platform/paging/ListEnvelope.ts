/**
 * The one shape of every list the HTTP API answers: a page of `items` and, when more
 * follow, `next`, an opaque token the caller passes back as `?next=` (with the same
 * filters) for the following page. Lists with a summary add it beside these two.
 */
export interface ListEnvelope<T> {
  items: T[];
  /** Absent on the last page. */
  next?: string;
}

/** What a caller asks of a list: at most `limit` items, after the page `next` ended. */
export interface ListPageRequest {
  limit: number;
  next?: string;
}
