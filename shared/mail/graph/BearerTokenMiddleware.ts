import type { AuthenticationProvider, Context, Middleware } from '@microsoft/microsoft-graph-client';
import { passThroughError } from './passThroughError';

export interface BearerTokenMiddlewareInit {
  tokens: AuthenticationProvider;
  /** The Graph origin (`https://graph.microsoft.com`, or the simulator's): the only one that gets the token. */
  origin: string;
}

/**
 * Adds the app token to requests for our Graph origin and strips it from any other (an
 * `@odata.nextLink` pointing elsewhere gets nothing). The SDK's own AuthenticationHandler
 * does this by a list of https hosts, which the loopback simulator is not on.
 */
export class BearerTokenMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly init: BearerTokenMiddlewareInit) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = (context.options ??= {});
    const headers = new Headers(options.headers ?? {});
    headers.delete('Authorization');
    if (new URL(url).origin === this.init.origin) {
      let token: string;
      try {
        token = await this.init.tokens.getAccessToken();
      } catch (error) {
        throw passThroughError(error);
      }
      headers.set('Authorization', `Bearer ${token}`);
    }
    options.headers = headers;
    if (!this.next) throw new Error('BearerTokenMiddleware must not be the last middleware');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
