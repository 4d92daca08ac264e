/**
 * Graph's endpoint validation: 200, `text/plain`, the URL-decoded token as the body, byte
 * for byte. `nosniff` with `text/plain` keeps a browser from rendering a token such as
 * `<script>…</script>` as markup; nothing about the token is interpreted or escaped.
 */
export function validationEchoResponse(validationToken: string): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: 200,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
    body: validationToken,
  };
}
