import { InvocationContext } from '@azure/functions';
import { createServices } from '../../../functions/compose';
import { loadConfig } from '../../../shared/platform/config/loadConfig';

const settings = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 6).toString('base64')}`,
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  API_AUDIENCE: 'api://compose-test',
  GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000c0de',
  GRAPH_CLIENT_SECRET: 'test-only',
};

describe('createServices: the functions log at LOG_LEVEL', () => {
  it.each([
    [{}, ['information', 'warning']],
    [{ LOG_LEVEL: 'warn' }, ['warning']],
    [{ LOG_LEVEL: 'debug' }, ['debug', 'information', 'warning']],
  ])('with %j the records kept are %j', async (level, kept) => {
    const services = createServices({ config: loadConfig({ ...settings, ...level }) });
    try {
      const written: string[] = [];
      const context = new InvocationContext({ functionName: 'probe', logHandler: (at) => void written.push(at) });
      const log = services.logs.of(context);
      log.debug('d');
      log.info('i');
      log.warn('w');
      expect(written).toEqual(kept);
    } finally {
      await services.http.close();
    }
  });
});
