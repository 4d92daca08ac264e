import { childPids, processCpuMs } from './processCpu';

export interface CpuSplit {
  /** CPU milliseconds used since the meter started, per process; undefined where /proc is missing. */
  app: number | undefined;
  azurite: number | undefined;
  /** This process: the simulators (and the token issuer). */
  simulators: number;
}

/**
 * Where the CPU time of a run went: the app process, Azurite, the simulators (this process).
 * On a 2-core machine the three share the cores, so this tells which one a figure is bound by.
 */
export class CpuMeter {
  private readonly appPid: number;
  private readonly azuritePid: number | undefined;
  private start: { app: number | undefined; azurite: number | undefined; simulators: number } | undefined;

  constructor(init: { appPid: number }) {
    this.appPid = init.appPid;
    this.azuritePid = childPids(/azurite/)[0];
  }

  begin(): void {
    this.start = this.read();
  }

  end(): CpuSplit {
    const now = this.read();
    const start = this.start ?? now;
    const delta = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
    return { app: delta(now.app, start.app), azurite: delta(now.azurite, start.azurite), simulators: now.simulators - start.simulators };
  }

  private read(): { app: number | undefined; azurite: number | undefined; simulators: number } {
    const usage = process.cpuUsage();
    return {
      app: processCpuMs(this.appPid),
      azurite: this.azuritePid === undefined ? undefined : processCpuMs(this.azuritePid),
      simulators: (usage.user + usage.system) / 1000,
    };
  }
}

/** `app 1.20, Azurite 2.40, simulators 0.30 ms CPU per <unit>` for a log line. */
export function describeCpu(split: CpuSplit, units: number, unit: string): string {
  const per = (ms: number | undefined) => (ms === undefined ? 'n/a' : (ms / units).toFixed(2));
  return `CPU per ${unit}: app ${per(split.app)} ms, Azurite ${per(split.azurite)} ms, simulators ${per(split.simulators)} ms`;
}
