import { newPkceVerifier, pkceChallenge } from '../../../../shared/jira/pkceChallenge';

describe('PKCE (RFC 7636)', () => {
  it('derives the S256 challenge of RFC 7636 Appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 unreserved characters, a new one each time', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => newPkceVerifier()));
    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43}$/);
  });
});
