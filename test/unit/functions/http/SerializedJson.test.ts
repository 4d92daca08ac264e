import { SerializedJson } from '../../../../functions/http/SerializedJson';
import { jsonResponse } from '../../../../functions/http/jsonResponse';

describe('SerializedJson', () => {
  it('gives the byte length of the UTF-8 text, not its character count', () => {
    const json = SerializedJson.of({ name: 'Zoë ☃' });
    expect(json.text).toBe('{"name":"Zoë ☃"}');
    expect(json.contentLength).toBe(String(Buffer.byteLength(json.text)));
    expect(Number(json.contentLength)).toBeGreaterThan(json.text.length);
  });

  it('serializes a frozen answer once and hands out that serialization again', () => {
    const answer = Object.freeze({ licensed: true, status: 'active', maxUsers: 500, expiresAt: null });
    const first = SerializedJson.once(answer);
    expect(SerializedJson.once(answer)).toBe(first);
    expect(JSON.parse(first.text)).toEqual(answer);
    // Another object with the same content is its own answer, not the first one's.
    expect(SerializedJson.once(Object.freeze({ ...answer }))).not.toBe(first);
  });

  it('serializes an object that is not frozen as it is now, so a change is answered', () => {
    const answer = { licensed: true, status: 'active' };
    expect(SerializedJson.once(answer).text).toBe('{"licensed":true,"status":"active"}');
    answer.licensed = false;
    expect(SerializedJson.once(answer).text).toBe('{"licensed":false,"status":"active"}');
  });
});

describe('jsonResponse', () => {
  it('sends a serialized body as it is, with its own length', () => {
    const json = SerializedJson.of({ city: 'Malmö' });
    const response = jsonResponse(200, json, { Vary: 'Authorization' });
    expect(response.body).toBe('{"city":"Malmö"}');
    expect(response.headers).toMatchObject({
      'Content-Length': '17',
      'Content-Type': 'application/json; charset=utf-8',
      Vary: 'Authorization',
    });
  });

  it('serializes any other body, the same bytes either way', () => {
    const value = { city: 'Malmö' };
    expect(jsonResponse(200, value)).toEqual(jsonResponse(200, SerializedJson.of(value)));
  });
});
