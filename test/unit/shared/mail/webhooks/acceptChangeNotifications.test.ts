import { createLocalJWKSet } from 'jose';
import { createSelfSignedCertificate } from '../../../../../dev/sandbox/graph/createSelfSignedCertificate';
import { encryptResourceData } from '../../../../../dev/sandbox/graph/encryptResourceData';
import { ValidationTokenMinter } from '../../../../../dev/sandbox/graph/ValidationTokenMinter';
import { acceptChangeNotifications } from '../../../../../shared/mail/webhooks/acceptChangeNotifications';
import { acceptLifecycleNotifications } from '../../../../../shared/mail/webhooks/acceptLifecycleNotifications';
import { graphLifecycleMessageSchema } from '../../../../../shared/mail/webhooks/graphLifecycleMessage';
import { graphNotificationMessageSchema } from '../../../../../shared/mail/webhooks/graphNotificationMessage';
import { hashClientState } from '../../../../../shared/mail/webhooks/clientState';
import type { NotificationBatch } from '../../../../../shared/mail/webhooks/notificationBatchSchema';
import { parseEncryptionPrivateKeys } from '../../../../../shared/mail/webhooks/parseEncryptionPrivateKeys';
import { RichNotificationDecryptor } from '../../../../../shared/mail/webhooks/RichNotificationDecryptor';
import { SubscriptionLookup, type SubscriptionSnapshot } from '../../../../../shared/mail/webhooks/SubscriptionLookup';
import { ValidationTokenVerifier } from '../../../../../shared/mail/webhooks/ValidationTokenVerifier';

const APP_ID = 'our-app';
const TENANT_A = 'aaaaaaaa-0000-0000-0000-000000000000';
const TENANT_B = 'bbbbbbbb-0000-0000-0000-000000000000';
const certificate = createSelfSignedCertificate();
const decryptor = new RichNotificationDecryptor({ privateKeys: parseEncryptionPrivateKeys(`c1:${certificate.privateKey}`) });
const rows = new Map<string, SubscriptionSnapshot>([
  ['sub-a', { subscriptionId: 'sub-a', tenantId: TENANT_A, userId: 'user-a', clientStateHash: hashClientState('state-a') }],
  ['sub-b', { subscriptionId: 'sub-b', tenantId: TENANT_B, userId: 'user-b', clientStateHash: hashClientState('state-b') }],
]);
const subscriptions = new SubscriptionLookup({ load: async (id) => rows.get(id), now: () => 0 });

let minter: ValidationTokenMinter;
let validationTokens: ValidationTokenVerifier;

beforeAll(async () => {
  minter = await ValidationTokenMinter.create({ now: () => Date.now() });
  validationTokens = new ValidationTokenVerifier({
    jwksUrl: 'http://unused.invalid',
    audience: APP_ID,
    issuerTemplate: 'https://sts.windows.net/{tenantId}/',
    keySet: createLocalJWKSet(minter.keySet()),
  });
});

function item(subscriptionId: string, clientState: string | null, messageId: string, extra: Record<string, unknown> = {}) {
  return {
    subscriptionId,
    clientState,
    changeType: 'created',
    resource: `Users/user/Messages/${messageId}`,
    resourceData: { id: messageId },
    tenantId: TENANT_A,
    ...extra,
  };
}

const mail = (id: string) => ({
  id,
  internetMessageId: `<${id}@x>`,
  conversationId: 'conv',
  subject: 'S',
  from: { emailAddress: { name: 'A', address: 'a@x' } },
  receivedDateTime: '2025-01-01T00:00:00Z',
  bodyPreview: 'p',
  webLink: 'https://x',
});

async function accept(batch: NotificationBatch) {
  return acceptChangeNotifications({ batch, subscriptions, validationTokens, decryptor, receivedAt: '2025-01-01T00:00:01.000Z' });
}

describe('acceptChangeNotifications', () => {
  test('keeps ours with the right clientState; drops and counts the rest; messages match the queue schema', async () => {
    const result = await accept({
      value: [
        item('sub-a', 'state-a', 'm1'),
        item('sub-a', 'forged', 'm2'),
        item('sub-a', null, 'm3'),
        item('sub-x', 'state-a', 'm4'),
        { not: 'a notification' },
        item('sub-b', 'state-b', 'm5'),
      ],
    });
    expect(result.messages.map((m) => [m.subscriptionId, m.messageId, m.tenantId, m.userId])).toEqual([
      ['sub-a', 'm1', TENANT_A, 'user-a'],
      ['sub-b', 'm5', TENANT_B, 'user-b'],
    ]);
    expect(result.dropped).toEqual({ clientStateMismatch: 2, unknownSubscription: 1, malformed: 1 });
    for (const message of result.messages) expect(graphNotificationMessageSchema.parse(message)).toEqual(message);
  });

  test('duplicates collapse to one, and a forged copy listed first does not displace the genuine one', async () => {
    const result = await accept({
      value: [
        item('sub-a', 'forged', 'm1'),
        item('sub-a', 'state-a', 'm1'),
        item('sub-a', 'state-a', 'm1'),
        item('sub-a', 'state-a', 'm2'),
      ],
    });
    expect(result.messages.map((m) => m.messageId)).toEqual(['m1', 'm2']);
    expect(result.dropped).toEqual({ clientStateMismatch: 1, duplicate: 1 });
  });

  test('rich items: decrypted when a valid token vouches for the subscription’s tenant, dropped otherwise', async () => {
    const goodToken = await minter.mint({ tenantId: TENANT_A, audience: APP_ID });
    const wrongAudience = await minter.mint({ tenantId: TENANT_B, audience: 'not-us' });
    const rich = (
      subscriptionId: string,
      state: string,
      id: string,
      content = encryptResourceData(certificate.certificate, 'c1', mail(id)),
    ) => item(subscriptionId, state, id, { encryptedContent: content });
    const tampered = encryptResourceData(certificate.certificate, 'c1', mail('m3'));
    const otherId = encryptResourceData(certificate.certificate, 'c1', mail('someone-else'));
    const result = await accept({
      value: [
        rich('sub-a', 'state-a', 'm1'),
        rich('sub-b', 'state-b', 'm2'),
        rich('sub-a', 'state-a', 'm3', { ...tampered, dataSignature: Buffer.alloc(32).toString('base64') }),
        rich('sub-a', 'state-a', 'm4', otherId),
        rich('sub-a', 'state-a', 'm5', encryptResourceData(certificate.certificate, 'retired', mail('m5'))),
      ],
      validationTokens: [goodToken, wrongAudience],
    });
    expect(result.messages.map((m) => m.messageId)).toEqual(['m1', 'm5']);
    expect(result.messages[0]?.resourceData).toEqual(mail('m1'));
    expect(result.messages[1]?.resourceData).toBeUndefined();
    expect(result.unknownCertificate).toBe(1);
    expect(result.dropped).toEqual({ untrustedRichContent: 1, undecryptable: 2 });
  });

  test('rich items without any validation token are not trusted', async () => {
    const result = await accept({
      value: [item('sub-a', 'state-a', 'm1', { encryptedContent: encryptResourceData(certificate.certificate, 'c1', mail('m1')) })],
    });
    expect(result.messages).toEqual([]);
    expect(result.dropped).toEqual({ untrustedRichContent: 1 });
  });
});

describe('acceptLifecycleNotifications', () => {
  test('ours, matching clientState, known event, once per batch', async () => {
    const event = (subscriptionId: string, clientState: string, lifecycleEvent: string) => ({
      subscriptionId,
      clientState,
      lifecycleEvent,
      tenantId: TENANT_A,
    });
    const result = await acceptLifecycleNotifications({
      batch: {
        value: [
          event('sub-a', 'state-a', 'missed'),
          event('sub-a', 'state-a', 'missed'),
          event('sub-a', 'nope', 'subscriptionRemoved'),
          event('sub-a', 'state-a', 'somethingNew'),
          event('sub-z', 'x', 'missed'),
        ],
      },
      subscriptions,
      receivedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(result.messages).toEqual([
      {
        version: 1,
        tenantId: TENANT_A,
        subscriptionId: 'sub-a',
        userId: 'user-a',
        lifecycleEvent: 'missed',
        receivedAt: '2025-01-01T00:00:00.000Z',
      },
    ]);
    expect(graphLifecycleMessageSchema.parse(result.messages[0])).toEqual(result.messages[0]);
    expect(result.dropped).toEqual({ duplicate: 1, clientStateMismatch: 1, unsupportedEvent: 1, unknownSubscription: 1 });
  });
});
