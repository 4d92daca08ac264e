export interface AppReply {
  status: number;
  headers: Headers;
  text: string;
}

/** One setup request (not a measured one) with an optional bearer token; redirects are not followed. */
export async function appRequest(
  url: string,
  options: { method?: string; token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<AppReply> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    redirect: 'manual',
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** As `appRequest`, failing unless the status is one of `expected`. */
export async function expectReply(
  expected: readonly number[],
  what: string,
  url: string,
  options: Parameters<typeof appRequest>[1] = {},
): Promise<AppReply> {
  const reply = await appRequest(url, options);
  if (!expected.includes(reply.status)) throw new Error(`${what}: ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply;
}
