import { allQueueNames, poisonQueueName } from '../storage/queueNames';

/**
 * What a log record may carry besides its message: ids an operator filters by, each of a
 * bounded shape, never a mail's content, its internetMessageId, a token, a secret or a URL.
 * The trace id is not among them: the logger takes it from the active span.
 */
export interface LogAttributes {
  /** The Entra tenant (a GUID). */
  tenantId?: string;
  /** The Jira instance, as in routes and table keys. */
  instanceId?: string;
  /** A queue of ours, or its poison queue. */
  queue?: string;
  /** An `AppError` code or another of our stable words (`error`, a failure's reason). */
  problemCode?: string;
  /** A Jira issue key (`DEMO-12`). */
  issueKey?: string;
  /** The Functions host's id of the invocation. */
  invocationId?: string;
}

/** A record's attributes as written: the allowed ones, and the active span's trace id. */
export interface LogRecordAttributes extends LogAttributes {
  traceId?: string;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const QUEUES: ReadonlySet<string> = new Set(allQueueNames.flatMap((queue) => [queue, poisonQueueName(queue)]));
// A bounded name in the characters of a table key or a route segment; the platform layer knows no Jira.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const WORD = /^[a-z][a-z0-9_]{0,63}$/i;
const ISSUE_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}-[1-9][0-9]{0,17}$/;
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

/**
 * The allow-list, in the order a record writes them: a name, and the shape its value must
 * have. Shapes are patterns, not free text, so a forged message that names a "tenant" with
 * a token or a subject in it loses that attribute instead of logging it.
 */
const ALLOWED: readonly (readonly [keyof LogRecordAttributes, (value: string) => boolean])[] = [
  ['tenantId', (value) => GUID.test(value)],
  ['instanceId', (value) => NAME.test(value)],
  ['queue', (value) => QUEUES.has(value)],
  ['issueKey', (value) => ISSUE_KEY.test(value)],
  ['problemCode', (value) => WORD.test(value)],
  ['invocationId', (value) => GUID.test(value)],
  ['traceId', (value) => TRACE_ID.test(value)],
];

/** The allow-listed attributes of `input` whose value has its shape; every other one dropped. */
export function allowedLogAttributes(input: Readonly<Record<string, unknown>>): LogRecordAttributes {
  const allowed: LogRecordAttributes = {};
  for (const [name, accepts] of ALLOWED) {
    const value = input[name];
    if (typeof value === 'string' && accepts(value)) allowed[name] = value;
  }
  return allowed;
}
