import { HttpRouter } from '../../../../dev/host/HttpRouter';
import { TimerScheduler } from '../../../../dev/host/TimerScheduler';
import { systemClock } from '../../../../shared/platform/clock';
import type { FunctionDefinition } from '../../../../functions/FunctionDefinition';
import { functionTable } from '../../../../functions/functionTable';
import { memoryLog, testServices } from './localHostTestSupport';

describe("the app's function table on the local host", () => {
  it('has only route templates and schedules the local host can serve, under unique names', async () => {
    const http = functionTable.filter((d): d is Extract<FunctionDefinition, { kind: 'http' }> => d.kind === 'http');
    expect(() => new HttpRouter({ functions: http })).not.toThrow();
    const services = testServices();
    try {
      for (const definition of functionTable) {
        if (definition.kind === 'timer')
          expect(() => new TimerScheduler({ definition, services, log: memoryLog(), clock: systemClock })).not.toThrow();
      }
    } finally {
      await services.http.close();
    }
    expect(new Set(functionTable.map((d) => d.name)).size).toBe(functionTable.length);
    expect(new HttpRouter({ functions: http }).resolve('GET', '/api/health')).toMatchObject({
      kind: 'match',
      definition: { name: 'health' },
    });
  });
});
