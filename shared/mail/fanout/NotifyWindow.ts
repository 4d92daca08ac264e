import type { Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors/AppError';
import type { DigestMailEntity } from '../../platform/storage/digests/digestMailEntity';
import type { DigestRepository } from '../../platform/storage/digests/DigestRepository';
import type { DigestWindowEntity } from '../../platform/storage/digests/digestWindowEntity';
import { hashKey } from '../../platform/storage/tableKey';
import { issueConversationOf, type JiraNotifyMessage } from './jiraNotifyMessage';

export interface NotifyWindowInit {
  digests: DigestRepository;
  clock: Clock;
  /** `NOTIFY_DIGEST_WINDOW`: at most one notification per (issue, conversation) per this many seconds; 0: off. */
  windowSeconds: number;
  /** Puts a flush message on `jira-notify`, visible after the delay. */
  schedule(message: JiraNotifyMessage, delaySeconds: number): Promise<void>;
}

/** Conditional writes lost to a concurrent writer are retried this often before the error goes to the host. */
const MAX_ROUNDS = 20;

/**
 * Storm control for one (linked issue, conversation). The first mail after a quiet window is
 * let through at once and opens a window; the mails that arrive while it is open are held in
 * `digests` and sent together, as one digest, when it ends, by a delayed `jira-notify` flush
 * message (the queue's visibility timeout). The window row is changed only with ETag
 * conditions, so concurrent workers agree on who opened a window and on who schedules a flush.
 *
 * The order of the writes is what keeps every acknowledged mail: a held mail's row is written
 * before its message completes and before the window is read for a flush; a flush finishes
 * by moving the window on first and only then looking for mails left over, scheduling the
 * next flush for them. A flush is scheduled (enqueued) before the window records it, so a
 * crash in between leaves an extra flush, never a missing one.
 */
export class NotifyWindow {
  private readonly digests: DigestRepository;
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly schedule: NotifyWindowInit['schedule'];

  constructor(init: NotifyWindowInit) {
    this.digests = init.digests;
    this.clock = init.clock;
    this.windowMs = Math.max(0, init.windowSeconds) * 1000;
    this.schedule = (message, delaySeconds) => init.schedule(message, delaySeconds);
  }

  /** `send`: the mail opened a window, notify it alone now. `held`: it waits, durably, for the window's digest. */
  async admit(message: JiraNotifyMessage): Promise<'send' | 'held'> {
    // Off: every mail alone, without a storage round trip. (Flushes of digests held before still run.)
    if (this.windowMs === 0) return 'send';
    const partition = issueConversationOf(message);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const current = await this.digests.windows.getVersioned(partition);
      const now = this.clock.now();
      const quiet = !current || (current.entity.flushDueAt === undefined && now >= Date.parse(current.entity.openedAt) + this.windowMs);
      if (!quiet) {
        await this.hold(message);
        return 'held';
      }
      const opened: DigestWindowEntity = { ...partition, seq: current?.entity.seq ?? 0, openedAt: iso(now), updatedAt: iso(now) };
      if (current ? await this.digests.windows.update(opened, current.etag) : await this.digests.windows.insert(opened)) return 'send';
    }
    // Every round lost to another worker: the window is busy, so hold.
    await this.hold(message);
    return 'held';
  }

  /**
   * Seconds until the window a flush belongs to ends (0: due, or its digest is already done).
   * A flush scheduled while another worker was opening a new window can come early: it waits.
   */
  async secondsUntilDue(message: JiraNotifyMessage): Promise<number> {
    const current = await this.digests.windows.get(issueConversationOf(message));
    if (!current || current.seq >= (message.digest?.seq ?? 0)) return 0;
    return Math.max(0, Math.ceil((Date.parse(current.openedAt) + this.windowMs - this.clock.now()) / 1000));
  }

  /**
   * The mails of digest `message.digest.seq`: those waiting get that number (a retried flush
   * finds the same ones, plus any that arrived since, while it has not been sent), oldest first.
   */
  async collect(message: JiraNotifyMessage): Promise<DigestMailEntity[]> {
    const seq = message.digest?.seq ?? 0;
    const members: DigestMailEntity[] = [];
    const waiting: DigestMailEntity[] = [];
    for await (const row of this.digests.mails.listPartition(issueConversationOf(message))) {
      if (row.digestSeq === seq) members.push(row);
      else if (row.digestSeq === undefined) waiting.push(row);
    }
    for (let i = 0; i < waiting.length; i += 16) {
      const chunk = waiting.slice(i, i + 16).map((row) => ({ ...row, digestSeq: seq }));
      await Promise.all(chunk.map((row) => this.digests.mails.upsert(row)));
      members.push(...chunk);
    }
    return members.sort((a, b) => (a.receivedDateTime ?? a.addedAt).localeCompare(b.receivedDateTime ?? b.addedAt));
  }

  /**
   * After digest `seq` is recorded in the ledger (sent, or nothing to send): the window moves
   * on (a new one opens now), the digest's mails go, and mails that came meanwhile get the
   * next flush. Idempotent: a retried flush repeats it harmlessly.
   */
  async finish(message: JiraNotifyMessage): Promise<void> {
    const seq = message.digest?.seq ?? 0;
    const partition = issueConversationOf(message);
    for (let round = 0; ; round += 1) {
      const current = await this.digests.windows.getVersioned(partition);
      if (!current || current.entity.seq >= seq) break;
      const now = iso(this.clock.now());
      const { flushDueAt: _due, ...rest } = current.entity;
      if (await this.digests.windows.update({ ...rest, seq, openedAt: now, updatedAt: now }, current.etag)) break;
      if (round >= MAX_ROUNDS) throw new AppError({ code: 'conflict', detail: 'the notification window is too busy to move on' });
    }
    let leftover = false;
    for await (const row of this.digests.mails.listPartition(partition)) {
      if (row.digestSeq === undefined) leftover = true;
      else if (row.digestSeq <= seq) await this.digests.mails.delete(row);
    }
    if (leftover) await this.ensureFlush(message);
  }

  private async hold(message: JiraNotifyMessage): Promise<void> {
    const { mail } = message;
    await this.digests.mails.insert({
      ...issueConversationOf(message),
      internetMessageId: mail.internetMessageId,
      subject: mail.subject,
      ...(mail.fromName === undefined ? {} : { fromName: mail.fromName }),
      ...(mail.fromAddress === undefined ? {} : { fromAddress: mail.fromAddress }),
      ...(mail.receivedDateTime === undefined ? {} : { receivedDateTime: mail.receivedDateTime }),
      addedAt: iso(this.clock.now()),
    });
    await this.ensureFlush(message);
  }

  /** A flush is due at the window's end unless one is recorded as scheduled. */
  private async ensureFlush(message: JiraNotifyMessage): Promise<void> {
    const partition = issueConversationOf(message);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const current = await this.digests.windows.getVersioned(partition);
      const now = this.clock.now();
      if (current?.entity.flushDueAt !== undefined) return;
      const seq = (current?.entity.seq ?? 0) + 1;
      const dueMs = Math.max(now, current ? Date.parse(current.entity.openedAt) + this.windowMs : now);
      await this.schedule(toFlushMessage(message, seq, iso(now)), Math.max(0, Math.ceil((dueMs - now) / 1000)));
      const window: DigestWindowEntity = current
        ? { ...current.entity, flushDueAt: iso(dueMs), updatedAt: iso(now) }
        : { ...partition, seq: 0, openedAt: iso(now), flushDueAt: iso(dueMs), updatedAt: iso(now) };
      if (current ? await this.digests.windows.update(window, current.etag) : await this.digests.windows.insert(window)) return;
    }
    throw new AppError({ code: 'conflict', detail: 'the notification window is too busy to schedule its digest' });
  }
}

/** The flush of digest `seq`: its `mail` is the digest's identity, for the ledger and the link checks. */
export function toFlushMessage(message: JiraNotifyMessage, seq: number, enqueuedAt: string): JiraNotifyMessage {
  const { probe: _probe, digest: _digest, ...rest } = message;
  return {
    ...rest,
    mail: {
      internetMessageId: `digest:${seq}:${hashKey(message.mail.conversationId)}`,
      conversationId: message.mail.conversationId,
      messageId: `digest:${seq}`,
      subject: message.mail.subject,
      bodyPreview: '',
    },
    enqueuedAt,
    retry: { throttled: 0, failed: 0 },
    digest: { seq },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
