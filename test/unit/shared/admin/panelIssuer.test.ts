import { parsePanelIssuer, toPanelIssuer } from '../../../../shared/admin/panelIssuer';

const tenantId = '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18';

describe('panel issuer', () => {
  it('names an instance as <tenantId>/<instanceId> and reads it back', () => {
    expect(toPanelIssuer({ tenantId, instanceId: 'demo-2' })).toBe(`${tenantId}/demo-2`);
    expect(parsePanelIssuer(`${tenantId}/demo-2`)).toEqual({ tenantId, instanceId: 'demo-2' });
  });

  it.each([
    ['no instance', tenantId],
    ['an extra segment', `${tenantId}/demo/x`],
    ['an upper-case tenant', `${tenantId.toUpperCase()}/demo`],
    ['a tenant that is no GUID', 'contoso/demo'],
    ['an instance id with capitals', `${tenantId}/Demo`],
    ['an empty instance id', `${tenantId}/`],
    ['a path trick', `${tenantId}/../demo`],
    ['a tenant with a prefix', `x${tenantId}/demo`],
    ['a tenant with a suffix', `${tenantId}0/demo`],
    ['no tenant', '/demo'],
  ])('refuses %s', (_what, issuer) => {
    expect(parsePanelIssuer(issuer)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    expect(parsePanelIssuer(undefined)).toBeUndefined();
    expect(parsePanelIssuer(42)).toBeUndefined();
    expect(parsePanelIssuer({ tenantId, instanceId: 'demo' })).toBeUndefined();
  });
});
