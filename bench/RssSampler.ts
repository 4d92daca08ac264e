import { processRssBytes } from './processCpu';

/** Samples a process's RSS every few milliseconds from /proc while a transfer runs; keeps the peak. */
export class RssSampler {
  private readonly pid: number;
  private timer: NodeJS.Timeout | undefined;
  private peakBytes: number | undefined;

  constructor(init: { pid: number }) {
    this.pid = init.pid;
  }

  start(intervalMs = 20): void {
    this.peakBytes = processRssBytes(this.pid);
    this.timer = setInterval(() => {
      const rss = processRssBytes(this.pid);
      if (rss !== undefined && (this.peakBytes === undefined || rss > this.peakBytes)) this.peakBytes = rss;
    }, intervalMs);
  }

  /** The peak seen since `start`, or undefined where /proc is missing. */
  stop(): number | undefined {
    clearInterval(this.timer);
    this.timer = undefined;
    const last = processRssBytes(this.pid);
    if (last !== undefined && (this.peakBytes === undefined || last > this.peakBytes)) this.peakBytes = last;
    return this.peakBytes;
  }
}
