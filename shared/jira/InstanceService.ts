import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { AppError } from '../platform/errors/AppError';
import type { SecretBox } from '../platform/crypto/SecretBox';
import { OAuthSigner } from './OAuthSigner';
import { SingleFlight, TtlCache } from '../platform/cache';
import type { Clock } from '../platform/clock';
import type { InstanceEntity } from '../platform/storage/instances/instanceEntity';
import type { InstanceRepository } from '../platform/storage/instances/InstanceRepository';
import { generateRsaKeyPair } from './generateRsaKeyPair';
import { isInstanceId } from './instanceId';
import { toInstanceView, type InstanceView } from './InstanceView';
import type { RegisterInstanceBody } from './registerInstanceBodySchema';
import { validateBaseUrl, type BaseUrlPolicy } from './validateBaseUrl';

/** A registered instance ready for calls: its signer holds the parsed private key. */
export interface LoadedInstance {
  entity: InstanceEntity;
  signer: OAuthSigner;
  /** The service user's personal access token, decrypted on first use. */
  serviceToken(): string | undefined;
}

export interface OAuth2ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface InstanceServiceInit {
  repository: InstanceRepository;
  secrets: SecretBox;
  clock: Clock;
  /** `PUBLIC_BASE_URL`, no trailing slash. */
  publicBaseUrl: string;
  baseUrlPolicy: BaseUrlPolicy;
  /** How long a read instance (or its absence) is trusted; other workers see a change within this. */
  cacheTtlMs?: number;
  /**
   * Called when an instance's base URL moves to another origin or it is removed: its user
   * tokens must go. (The service token is in the instance row and goes with the move itself.)
   */
  onInstanceMoved?: (tenantId: string, instanceId: string) => Promise<void>;
  /** The kind Jira's application-links manifest suggests, for a registration that names none. */
  proposeAuthKind?: (baseUrl: string) => Promise<'oauth1' | 'oauth2' | undefined>;
}

export interface RegisterResult {
  created: boolean;
  /** With `proposedAuthKind` when the registration named no `authKind` and Jira's manifest suggests one. */
  view: InstanceView & { proposedAuthKind?: 'oauth1' | 'oauth2' };
}

const MAX_CACHED = 1000;
const MAX_UPDATE_ATTEMPTS = 3;

/**
 * Registration and lookup of Jira instances per tenant. Lookups are cached per process
 * with their parsed KeyObject, so a proxied request costs no table read and no key
 * parsing; a change made here invalidates at once, elsewhere within the cache TTL.
 */
export class InstanceService {
  private readonly repository: InstanceRepository;
  private readonly secrets: SecretBox;
  private readonly clock: Clock;
  private readonly publicBaseUrl: string;
  private readonly baseUrlPolicy: BaseUrlPolicy;
  private readonly onInstanceMoved: ((tenantId: string, instanceId: string) => Promise<void>) | undefined;
  private readonly proposeAuthKind: ((baseUrl: string) => Promise<'oauth1' | 'oauth2' | undefined>) | undefined;
  private readonly instances: TtlCache<string, LoadedInstance | null>;
  /** By sealed private key: a re-read of an unchanged row reuses the parsed key and signer. */
  private readonly signers: TtlCache<string, OAuthSigner>;
  /** By sealed client secret, as the signers. */
  private readonly clientSecrets: TtlCache<string, string>;
  private readonly loads = new SingleFlight<string, LoadedInstance | undefined>();

  constructor(init: InstanceServiceInit) {
    this.repository = init.repository;
    this.secrets = init.secrets;
    this.clock = init.clock;
    this.publicBaseUrl = init.publicBaseUrl.replace(/\/+$/, '');
    this.baseUrlPolicy = init.baseUrlPolicy;
    this.onInstanceMoved = init.onInstanceMoved;
    this.proposeAuthKind = init.proposeAuthKind;
    this.instances = new TtlCache({ clock: init.clock, ttlMs: init.cacheTtlMs ?? 30_000, maxEntries: MAX_CACHED });
    this.signers = new TtlCache({ clock: init.clock, ttlMs: 24 * 3600_000, maxEntries: MAX_CACHED });
    this.clientSecrets = new TtlCache({ clock: init.clock, ttlMs: 24 * 3600_000, maxEntries: MAX_CACHED });
  }

  /** Where Jira sends the browser back after "Allow": the application link's callback URL. */
  get callbackUrl(): string {
    return `${this.publicBaseUrl}/api/jira/oauth/callback`;
  }

  /** The one-time URL the Office dialog opens to begin an authorization (`?tenant&id`). */
  get beginUrl(): string {
    return `${this.publicBaseUrl}/api/jira/oauth/begin`;
  }

  /** Where the add-in starts the authorization of an instance. */
  startUrl(instanceId: string): string {
    return `${this.publicBaseUrl}/api/jira/${instanceId}/oauth/start`;
  }

  /** The proxy URL of an instance, ending in `/proxy/`. */
  proxyBase(instanceId: string): string {
    return `${this.publicBaseUrl}/api/jira/${instanceId}/proxy/`;
  }

  /** The instance of this tenant, or undefined; another tenant's instance is simply not found. */
  async find(tenantId: string, instanceId: string): Promise<LoadedInstance | undefined> {
    if (!isInstanceId(instanceId)) return undefined;
    const key = cacheKey(tenantId, instanceId);
    const cached = this.instances.get(key);
    if (cached !== undefined) return cached ?? undefined;
    // Concurrent misses for one instance share one table read.
    return this.loads.run(key, () => this.load(tenantId, instanceId));
  }

  /** As `find`, but a missing instance is 404 `instance_not_found`. */
  async require(tenantId: string, instanceId: string): Promise<LoadedInstance> {
    const instance = await this.find(tenantId, instanceId);
    if (!instance) throw new AppError({ code: 'instance_not_found', detail: 'no Jira instance with this id' });
    return instance;
  }

  async view(tenantId: string, instanceId: string): Promise<InstanceView> {
    return toInstanceView((await this.require(tenantId, instanceId)).entity, this.callbackUrl);
  }

  async list(tenantId: string): Promise<InstanceView[]> {
    const views: InstanceView[] = [];
    for await (const entity of this.repository.listByTenant(tenantId)) views.push(toInstanceView(entity, this.callbackUrl));
    return views.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  /**
   * Creates or updates an instance. The first registration generates the RSA key pair and
   * consumer key; later ones keep them, so the application link in Jira stays valid.
   */
  async register(tenantId: string, instanceId: string, body: RegisterInstanceBody): Promise<RegisterResult> {
    if (!isInstanceId(instanceId))
      throw new AppError({ code: 'instance_invalid', detail: 'the instance id must be 1–63 lower-case letters, digits or dashes' });
    const baseUrl = await validateBaseUrl(body.baseUrl, this.baseUrlPolicy);
    const now = new Date(this.clock.now()).toISOString();
    // Asked before any write: the kind stays the admin's choice (or the stored one); the
    // proposal only tells them, e.g. that this Jira could use OAuth 2.0 once its link exists.
    const proposed = body.authKind === undefined ? await this.proposeAuthKind?.(baseUrl) : undefined;
    const withProposal = (view: InstanceView): RegisterResult['view'] =>
      proposed === undefined ? view : { ...view, proposedAuthKind: proposed };
    try {
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt += 1) {
        const existing = await this.repository.getVersioned({ tenantId, instanceId });
        if (!existing) {
          const entity = await this.newEntity(tenantId, instanceId, baseUrl, body, now);
          if (await this.repository.insert(entity)) return { created: true, view: withProposal(toInstanceView(entity, this.callbackUrl)) };
          continue;
        }
        const entity = this.updatedEntity(existing.entity, baseUrl, body, now);
        if (await this.repository.update(entity, existing.etag)) {
          if (new URL(existing.entity.baseUrl).origin !== new URL(baseUrl).origin) await this.onInstanceMoved?.(tenantId, instanceId);
          return { created: false, view: withProposal(toInstanceView(entity, this.callbackUrl)) };
        }
      }
      throw new AppError({ code: 'conflict', detail: 'the instance was changed concurrently; try again' });
    } finally {
      this.invalidate(tenantId, instanceId);
    }
  }

  /** Removes the instance and, through `onInstanceMoved`, its users' tokens. False when there was none. */
  async remove(tenantId: string, instanceId: string): Promise<boolean> {
    if (!isInstanceId(instanceId)) return false;
    const existing = await this.repository.get({ tenantId, instanceId });
    this.invalidate(tenantId, instanceId);
    if (!existing) return false;
    await this.repository.delete({ tenantId, instanceId });
    this.invalidate(tenantId, instanceId);
    await this.onInstanceMoved?.(tenantId, instanceId);
    return true;
  }

  /**
   * The incoming OAuth 2.0 link's client id and secret of an oauth2 instance; 409
   * `instance_invalid` when the row lacks them. The secret is decrypted once per sealed value.
   */
  oauth2Client(instance: LoadedInstance): OAuth2ClientCredentials {
    const { entity } = instance;
    if (entity.oauth2ClientId === undefined || entity.encryptedOAuth2ClientSecret === undefined)
      throw new AppError({ code: 'instance_invalid', detail: 'the instance has no OAuth 2.0 client; register its incoming link' });
    let clientSecret = this.clientSecrets.get(entity.encryptedOAuth2ClientSecret);
    if (clientSecret === undefined) {
      clientSecret = this.secrets.open(entity.encryptedOAuth2ClientSecret, oauth2SecretContext(entity.tenantId, entity.instanceId));
      this.clientSecrets.set(entity.encryptedOAuth2ClientSecret, clientSecret);
    }
    return { clientId: entity.oauth2ClientId, clientSecret };
  }

  invalidate(tenantId: string, instanceId: string): void {
    this.instances.delete(cacheKey(tenantId, instanceId));
  }

  private async load(tenantId: string, instanceId: string): Promise<LoadedInstance | undefined> {
    const entity = await this.repository.get({ tenantId, instanceId });
    const loaded = entity ? this.toLoaded(entity) : undefined;
    this.instances.set(cacheKey(tenantId, instanceId), loaded ?? null);
    return loaded;
  }

  private toLoaded(entity: InstanceEntity): LoadedInstance {
    let signer = this.signers.get(entity.encryptedPrivateKey);
    if (!signer) {
      const pem = this.secrets.open(entity.encryptedPrivateKey, privateKeyContext(entity.tenantId, entity.instanceId));
      const privateKey: KeyObject = createPrivateKey(pem);
      signer = new OAuthSigner({ consumerKey: entity.consumerKey, privateKey, clock: this.clock });
      this.signers.set(entity.encryptedPrivateKey, signer);
    }
    let token: string | undefined;
    let opened = false;
    return {
      entity,
      signer,
      serviceToken: () => {
        if (!opened && entity.encryptedServiceToken !== undefined)
          token = this.secrets.open(entity.encryptedServiceToken, serviceTokenContext(entity.tenantId, entity.instanceId));
        opened = true;
        return token;
      },
    };
  }

  private async newEntity(
    tenantId: string,
    instanceId: string,
    baseUrl: string,
    body: RegisterInstanceBody,
    now: string,
  ): Promise<InstanceEntity> {
    const keys = await generateRsaKeyPair();
    return {
      tenantId,
      instanceId,
      baseUrl,
      displayName: body.displayName,
      consumerKey: `jira-outlook-cloud-${instanceId}-${randomBytes(6).toString('hex')}`,
      publicKeyPem: keys.publicKeyPem,
      encryptedPrivateKey: this.secrets.seal(keys.privateKeyPem, privateKeyContext(tenantId, instanceId)),
      ...(body.serviceUser === undefined ? {} : { serviceUser: body.serviceUser }),
      ...(typeof body.serviceToken === 'string'
        ? { encryptedServiceToken: this.secrets.seal(body.serviceToken, serviceTokenContext(tenantId, instanceId)) }
        : {}),
      ...(body.appKey === undefined ? {} : { appKey: body.appKey }),
      ...this.oauth2Fields(tenantId, instanceId, body, undefined),
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * The authorization kind and OAuth 2.0 client of a registration. Absent fields keep what
   * `existing` has (a moved instance loses its client secret, as its service token); a new
   * instance without `authKind` takes OAuth 2.0 when it comes with a client id, else 1.0a.
   */
  private oauth2Fields(
    tenantId: string,
    instanceId: string,
    body: RegisterInstanceBody,
    existing: { authKind?: 'oauth1' | 'oauth2'; oauth2ClientId?: string; encryptedOAuth2ClientSecret?: string } | undefined,
  ): Pick<InstanceEntity, 'authKind' | 'oauth2ClientId' | 'encryptedOAuth2ClientSecret'> {
    const authKind = body.authKind ?? existing?.authKind ?? (body.oauth2ClientId === undefined ? 'oauth1' : 'oauth2');
    const clientId = body.oauth2ClientId ?? existing?.oauth2ClientId;
    const secret =
      body.oauth2ClientSecret === undefined
        ? existing?.encryptedOAuth2ClientSecret
        : this.secrets.seal(body.oauth2ClientSecret, oauth2SecretContext(tenantId, instanceId));
    if (authKind === 'oauth2' && (clientId === undefined || secret === undefined))
      throw new AppError({
        code: 'instance_invalid',
        detail: 'OAuth 2.0 needs the oauth2ClientId and oauth2ClientSecret of the incoming link created in Jira',
      });
    return {
      authKind,
      ...(clientId === undefined ? {} : { oauth2ClientId: clientId }),
      ...(secret === undefined ? {} : { encryptedOAuth2ClientSecret: secret }),
    };
  }

  private updatedEntity(existing: InstanceEntity, baseUrl: string, body: RegisterInstanceBody, now: string): InstanceEntity {
    const {
      serviceUser: _user,
      appKey: _app,
      encryptedServiceToken,
      authKind,
      oauth2ClientId,
      encryptedOAuth2ClientSecret,
      ...kept
    } = existing;
    // A personal access token is a bearer credential of the Jira that issued it: a move to
    // another origin must not hand it to the new host. It stays only within the origin
    // (a context path, a display name), or when the move brings its own.
    const moved = new URL(existing.baseUrl).origin !== new URL(baseUrl).origin;
    const token =
      body.serviceToken === undefined
        ? moved
          ? undefined
          : encryptedServiceToken
        : body.serviceToken === null
          ? undefined
          : this.secrets.seal(body.serviceToken, serviceTokenContext(existing.tenantId, existing.instanceId));
    return {
      ...kept,
      baseUrl,
      displayName: body.displayName,
      ...(body.serviceUser === undefined ? {} : { serviceUser: body.serviceUser }),
      ...(token === undefined ? {} : { encryptedServiceToken: token }),
      ...(body.appKey === undefined ? {} : { appKey: body.appKey }),
      ...this.oauth2Fields(existing.tenantId, existing.instanceId, body, {
        ...(authKind === undefined ? {} : { authKind }),
        ...(oauth2ClientId === undefined ? {} : { oauth2ClientId }),
        ...(moved || encryptedOAuth2ClientSecret === undefined ? {} : { encryptedOAuth2ClientSecret }),
      }),
      updatedAt: now,
    };
  }
}

function cacheKey(tenantId: string, instanceId: string): string {
  return `${tenantId}\n${instanceId}`;
}

/** The SecretBox context (AAD) of an instance's private key: a sealed key copied to another row fails to open. */
export function privateKeyContext(tenantId: string, instanceId: string): string {
  return `instances/${tenantId}/${instanceId}/privateKey`;
}

export function serviceTokenContext(tenantId: string, instanceId: string): string {
  return `instances/${tenantId}/${instanceId}/serviceToken`;
}

export function oauth2SecretContext(tenantId: string, instanceId: string): string {
  return `instances/${tenantId}/${instanceId}/oauth2ClientSecret`;
}
