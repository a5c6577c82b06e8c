import { describe, expect, it } from 'vitest';
import { answerFromLambda } from '#local-cloud/api/lambda-response';

const text = (answer: ReturnType<typeof answerFromLambda>) => answer.body.toString('utf8');

describe('Method: answerFromLambda', () => {
  it('sends a structured result as given', () => {
    const answer = answerFromLambda({
      payload: { statusCode: 202, headers: { 'Content-Type': 'application/json', 'X-N': 5 }, cookies: ['a=1'], body: '{"ok":true}' },
    });
    expect(answer).toMatchObject({ statusCode: 202, headers: { 'content-type': 'application/json', 'x-n': '5' }, cookies: ['a=1'] });
    expect(text(answer)).toBe('{"ok":true}');
  });

  it('decodes a base64 body', () => {
    expect(text(answerFromLambda({ payload: { statusCode: 200, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true } }))).toBe('hi');
  });

  it('sends any other value as a 200 JSON answer', () => {
    const answer = answerFromLambda({ payload: { sessionId: 's' } });
    expect(answer).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(text(answer)).toBe('{"sessionId":"s"}');
    expect(text(answerFromLambda({ payload: [1, 2] }))).toBe('[1,2]');
    expect(text(answerFromLambda({ payload: 'plain' }))).toBe('plain');
  });

  it.each([
    ['a function error', { payload: { errorType: 'Error', errorMessage: 'secret detail' }, functionError: 'Unhandled' as const }],
    ['a status code that is not a number', { payload: { statusCode: '200', body: '' } }],
    ['a body that is not a string', { payload: { statusCode: 200, body: { a: 1 } } }],
    ['a header that is an object', { payload: { statusCode: 200, headers: { a: { b: 1 } } } }],
  ])('answers 500 Internal Server Error for %s, hiding the details', (_name, result) => {
    const answer = answerFromLambda(result);
    expect(answer.statusCode).toBe(500);
    expect(text(answer)).toBe('{"message":"Internal Server Error"}');
  });
});
