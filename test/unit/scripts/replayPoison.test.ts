import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite';
import { QueueAdmin } from '../../../shared/platform/storage/QueueAdmin';
import { QueueClientFactory } from '../../../shared/platform/storage/QueueClientFactory';
import { ensureStorage } from '../../../shared/platform/storage/ensureStorage';
import { TableClientFactory } from '../../../shared/platform/storage/TableClientFactory';
import { runTypeScript } from '../../support/spawnTypeScript';

const SCRIPT = join(__dirname, '../../../scripts/replayPoison.ts');

describe('npm run replay-poison -- <queue> (scripts/replayPoison.ts)', () => {
  let azurite: RunningAzurite;
  let admin: QueueAdmin;

  beforeAll(async () => {
    azurite = await startAzurite();
    const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    const queues = new QueueClientFactory({ target });
    await ensureStorage({ tableClients: new TableClientFactory({ target }), queueClients: queues });
    admin = new QueueAdmin({ queues });
  });
  afterAll(() => azurite?.stop());

  it('moves the poison messages back, unchanged, and reports how many', async () => {
    const texts = [
      'eyJ2ZXJzaW9uIjoxfQ==',
      Buffer.from(JSON.stringify({ version: 1, issueKey: 'DEMO-1' })).toString('base64'),
      'eyJuIjozfQ==',
    ];
    for (const text of texts) await admin.sendText('jira-notify-poison', text);
    // Insertion times have whole seconds: let them be clearly before the replay starts.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const run = await runTypeScript(SCRIPT, { args: ['jira-notify'], env: { AzureWebJobsStorage: azurite.connectionString } });
    expect(run).toMatchObject({ code: 0, stdout: 'moved 3 message(s) from jira-notify-poison back to jira-notify\n' });
    expect(await admin.approximateCount('jira-notify-poison')).toBe(0);
    const back = await admin.peek('jira-notify', 32);
    expect(back.map((message) => message.messageText).sort()).toEqual([...texts].sort());
  }, 60_000);

  it('refuses an unknown queue and explains its use', async () => {
    const unknown = await runTypeScript(SCRIPT, { args: ['leads'], env: { AzureWebJobsStorage: azurite.connectionString } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown queue "leads"');
    const none = await runTypeScript(SCRIPT, { env: { AzureWebJobsStorage: azurite.connectionString } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: npm run replay-poison -- <queue>');
  }, 60_000);

  it('refuses an unknown option instead of ignoring it, and answers --help', async () => {
    await admin.sendText('jira-notify-poison', 'eyJuIjo0fQ==');
    const mistyped = await runTypeScript(SCRIPT, {
      args: ['--dryrun', 'jira-notify'],
      env: { AzureWebJobsStorage: azurite.connectionString },
    });
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain("Unknown option '--dryrun'");
    expect(mistyped.stderr).toContain('usage: npm run replay-poison -- <queue>');
    expect(await admin.approximateCount('jira-notify-poison')).toBe(1);
    const help = await runTypeScript(SCRIPT, { args: ['jira-notify', '-h'], env: { AzureWebJobsStorage: azurite.connectionString } });
    expect(help).toMatchObject({ code: 0, stdout: '' });
    expect(help.stderr).toContain('usage: npm run replay-poison -- <queue>');
    expect(await admin.approximateCount('jira-notify-poison')).toBe(1);
    // Drained for the next case.
    await runTypeScript(SCRIPT, { args: ['jira-notify'], env: { AzureWebJobsStorage: azurite.connectionString } });
  }, 60_000);

  it('refuses to run without a storage setting instead of quietly using a local Azurite', async () => {
    await admin.sendText('graph-lifecycle-poison', 'eyJuIjo1fQ==');
    // An empty setting is no setting (and hides any local.settings.json of the developer).
    const run = await runTypeScript(SCRIPT, { args: ['graph-lifecycle'], env: { AzureWebJobsStorage: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no storage setting');
    expect(run.stderr).toContain('--local');
    expect(run.stdout).toBe('');
    expect(await admin.approximateCount('graph-lifecycle-poison')).toBe(1);
  }, 60_000);

  it('--peek lists the poisoned messages without what the mail said, --dry-run counts them; neither moves one', async () => {
    const notify = {
      version: 1,
      tenantId: '00000000-0000-4000-8000-0000000000aa',
      instanceId: 'demo',
      issueKey: 'DEMO-9',
      mail: { subject: 'Layoffs next week', fromAddress: 'ceo@example.test' },
    };
    await admin.sendText('jira-notify-poison', Buffer.from(JSON.stringify(notify)).toString('base64'));
    await admin.sendText('jira-notify-poison', 'bm90IGpzb24=');
    const env = { AzureWebJobsStorage: azurite.connectionString };
    const queuedBefore = await admin.approximateCount('jira-notify');

    const peek = await runTypeScript(SCRIPT, { args: ['jira-notify', '--peek'], env });
    expect(peek.code).toBe(0);
    const lines = peek.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((line) => line.includes('issueKey=DEMO-9'))).toMatch(
      /^\d{4}-\d\d-\d\dT\S+ tries=\d+ tenantId=00000000-0000-4000-8000-0000000000aa instanceId=demo issueKey=DEMO-9$/,
    );
    expect(lines).toContainEqual(expect.stringMatching(/ not one of our messages$/));
    expect(lines[2]).toBe('2 message(s) in jira-notify-poison (approximate); would move them back to jira-notify; nothing moved');
    expect(peek.stdout).not.toContain('Layoffs');
    expect(peek.stdout).not.toContain('ceo@example.test');

    const dry = await runTypeScript(SCRIPT, { args: ['jira-notify', '--dry-run'], env });
    expect(dry).toMatchObject({
      code: 0,
      stdout: '2 message(s) in jira-notify-poison (approximate); would move them back to jira-notify; nothing moved\n',
    });
    expect(await admin.approximateCount('jira-notify-poison')).toBe(2);
    expect(await admin.approximateCount('jira-notify')).toBe(queuedBefore);
  }, 60_000);
});
