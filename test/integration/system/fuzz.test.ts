/**
 * Bad input (issue 8), against one real local cloud with a LIVE session: a seeded generator makes well over
 * 1,000 bad requests across every authorized route — missing, extra and wrongly typed fields at every depth,
 * huge strings, bodies over 16 KiB, invalid JSON, wrong content types, unknown command types, out-of-range
 * numbers, bad UUIDs in paths, hostile programUrls, malformed Idempotency-Keys, bad tokens — sent a few at a
 * time. Every answer is a 4xx with `{code, message}` (a 401 carries API Gateway's `{message}`), never a 5xx,
 * and nothing changes: the tables, the session's queue, the queues, the executions and the objects are the
 * same before and after.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_ROUTES,
  COMMAND_TYPES,
  MAX_PROGRAM_URL_LENGTH,
  MAX_REQUEST_BODY_BYTES,
  mediaOwnerPrefix,
  type ApiRoute,
} from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { readSessionRecord } from '#harness/session-record';
import { LOCAL_MEDIA_BUCKET } from '#test/support/recording';
import { SessionApi } from '#harness/session-api';
import { snapshotClients, takeSnapshot, type SnapshotClients } from '#test/support/state-snapshot';

const HOST = 'host-fuzz';
const SEED = 0x5eed_f00d;
const REQUESTS = 1200;
/**
 * Requests in flight at once. The local cloud starts one execution environment per concurrent request and
 * counts a cold start inside the function's timeout (AWS does not), and on two shared cores a cold start
 * takes seconds: a few at a time, after one warm-up request per route, keeps the test about the API.
 */
const CONCURRENCY = 2;

/** The programUrls issue 8 lists, and their cousins: each must be refused by the API. */
export const HOSTILE_PROGRAM_URLS = [
  'https://127.0.0.1/a.mp3',
  'https://10.0.0.8/a.mp3',
  'https://172.16.5.4/a.mp3',
  'https://192.168.1.1/a.mp3',
  'https://169.254.169.254/latest/meta-data/',
  'https://169.254.170.2/v2/credentials',
  'https://100.64.0.1/a.mp3',
  'https://0.0.0.0/a.mp3',
  'https://[::1]/a.mp3',
  'https://[fc00::1]/a.mp3',
  'https://[fd12:3456::1]/a.mp3',
  'https://[fe80::1]/a.mp3',
  'https://[::ffff:127.0.0.1]/a.mp3',
  'https://[::ffff:7f00:1]/a.mp3',
  'https://[::127.0.0.1]/a.mp3',
  'https://[64:ff9b::7f00:1]/a.mp3',
  'https://[2002:7f00:1::]/a.mp3',
  'https://2130706433/a.mp3',
  'https://0x7f000001/a.mp3',
  'https://0x7f.1/a.mp3',
  'https://0177.0.0.1/a.mp3',
  'https://127.1/a.mp3',
  'https://127.0.1/a.mp3',
  'https://017700000001/a.mp3',
  'https://127.0.0.1./a.mp3',
  'https://a@b.example.com/a.mp3',
  'https://user:pass@media.example.org/a.mp3',
  'https://media.example.org@127.0.0.1/a.mp3',
  'https://localhost/a.mp3',
  'https://localhost./a.mp3',
  'https://printer.local/a.mp3',
  'https://metadata.google.internal/a.mp3',
  'https://intranet/a.mp3',
  'https://media.example.org:8443/a.mp3',
  'http://media.example.org/a.mp3',
  'file:///etc/passwd',
  'ftp://media.example.org/a.mp3',
  'data:audio/wav;base64,UklGRg==',
  'javascript:alert(1)',
  'gopher://127.0.0.1:70/_',
  'HTTPS://127.0.0.1/a.mp3',
  ' https://media.example.org/a.mp3',
  'https://media.example.org\\@127.0.0.1/a.mp3',
  's3://another-bucket/media/x.mp3',
  `s3://${LOCAL_MEDIA_BUCKET}/recordings/x.mp3`,
  `s3://${LOCAL_MEDIA_BUCKET}/media/../recordings/x.mp3`,
  `s3://${LOCAL_MEDIA_BUCKET}/${mediaOwnerPrefix('someone-else')}x.mp3`,
  `https://media.example.org/${'a'.repeat(MAX_PROGRAM_URL_LENGTH)}`,
];

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
type Random = ReturnType<typeof prng>;

interface BadRequest {
  what: string;
  method: ApiRoute['method'];
  path: string;
  headers: Record<string, string>;
  body?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Valid bodies of the routes whose schema the generator knows; each one is only ever sent broken. */
function validBodies(mediaUrl: string): Record<string, Record<string, Json>[]> {
  return {
    'POST /sessions': [{ title: 'A show' }],
    'POST /sessions/{sessionId}/tokens': [{ role: 'CALLER', displayName: 'Ana' }, { role: 'HOST', displayName: 'Host' }],
    'POST /sessions/{sessionId}/commands': [
      { type: 'PLAY_MEDIA', programId: 'intro', programUrl: mediaUrl, startAtSeconds: 0 },
      { type: 'PAUSE_MEDIA' },
      { type: 'RESUME_MEDIA' },
      { type: 'STOP_MEDIA' },
      { type: 'SEEK_MEDIA', seconds: 10 },
      { type: 'SET_VOLUME', volume: 0.5 },
    ],
    'POST /media': [{ fileName: 'intro.wav', contentType: 'audio/wav', sizeBytes: 1000 }],
    'POST /tracks': [{ title: 'Intro', programUrl: mediaUrl, contentType: 'audio/wav', sizeBytes: 1000 }],
  };
}

/** Values that are of the wrong type for any field of the given value's type. */
function wrongTypedFor(value: Json, r: Random): Json {
  const candidates: Json[] = [null, true, [], [1, 'a'], { nested: { deeper: [null] } }, 0, -1, 'text', ''];
  const wrong = candidates.filter((c) => typeof c !== typeof value || Array.isArray(c) !== Array.isArray(value) || (c === null) !== (value === null));
  return r.pick(wrong.filter((c) => typeof value !== 'string' || typeof c !== 'string'));
}

/** Out-of-range or non-finite numbers for a numeric field. */
const BAD_NUMBERS: Json[] = [-1, -0.0001, 1.0001, 1e309 as number, 'NaN', 'Infinity', '-Infinity', '1', 2 ** 53 + 1, -1e-9];

/** One broken copy of a valid body: what was broken, and the JSON text. */
function breakBody(valid: Record<string, Json>, route: string, r: Random): { what: string; text: string } | undefined {
  const fields = Object.keys(valid);
  const field = r.pick(fields);
  const copy = structuredClone(valid);
  switch (r.int(9)) {
    case 0:
      if (fields.length === 1 && field === 'type') return { what: 'type missing', text: JSON.stringify({}) };
      delete copy[field];
      return { what: `${field} missing`, text: JSON.stringify(copy) };
    case 1: {
      // Written into the text, so that __proto__ and constructor arrive as the fields they claim to be.
      const name = r.pick(['admin', '__proto__', 'constructor', 'hostId', 'status', 'extra']);
      const value = r.pick<Json>([true, 'x', 1, null, {}]);
      return { what: `an extra field ${name}`, text: JSON.stringify(copy).replace(/^\{/, `{${JSON.stringify(name)}:${JSON.stringify(value)},`) };
    }
    case 2:
      copy[field] = wrongTypedFor(copy[field] ?? null, r);
      return { what: `${field} of the wrong type`, text: JSON.stringify(copy) };
    case 3: {
      // Wrong types one level deeper: the field becomes an object or an array holding its value.
      copy[field] = r.next() < 0.5 ? { value: copy[field] ?? null } : [copy[field] ?? null];
      return { what: `${field} nested`, text: JSON.stringify(copy) };
    }
    case 4: {
      const stringField = fields.find((f) => typeof valid[f] === 'string' && f !== 'type' && f !== 'role' && f !== 'contentType');
      if (!stringField) return undefined;
      copy[stringField] = 'x'.repeat(r.pick([201, 257, 2049, 4000, 15_000]));
      return { what: `${stringField} huge`, text: JSON.stringify(copy) };
    }
    case 5: {
      const numberField = fields.find((f) => typeof valid[f] === 'number');
      if (!numberField) return undefined;
      const bad = r.pick(BAD_NUMBERS);
      const stillValid = typeof bad === 'number' && Number.isFinite(bad) && bad >= 0 && (numberField !== 'volume' || bad <= 1) && (numberField !== 'sizeBytes' || Number.isInteger(bad) && bad >= 1);
      if (stillValid) return undefined;
      copy[numberField] = bad;
      return { what: `${numberField} = ${String(bad)}`, text: JSON.stringify(copy) };
    }
    case 6:
      if (route !== 'POST /sessions/{sessionId}/commands') return undefined;
      copy.type = r.pick<Json>(['DELETE_EVERYTHING', 'play_media', '', ' PLAY_MEDIA', 'PLAY_MEDIA ', null, 7, ['PLAY_MEDIA'], 'SET_VOLUME\u0000']);
      if (typeof copy.type === 'string' && (COMMAND_TYPES as readonly string[]).includes(copy.type)) return undefined;
      return { what: `command type ${JSON.stringify(copy.type)}`, text: JSON.stringify(copy) };
    case 7:
      if (route !== 'POST /sessions/{sessionId}/commands') return undefined;
      return {
        what: 'a hostile programUrl',
        text: JSON.stringify({ type: 'PLAY_MEDIA', programId: 'hostile', programUrl: r.pick(HOSTILE_PROGRAM_URLS) }),
      };
    default: {
      // Non-finite numbers written the way JavaScript (not JSON) writes them.
      const numberField = fields.find((f) => typeof valid[f] === 'number');
      if (!numberField) return undefined;
      return { what: `${numberField} as a bare NaN/Infinity`, text: JSON.stringify(copy).replace(/("?\w+"?:\s*)-?[\d.e+-]+/, `"${numberField}":${r.pick(['NaN', 'Infinity', '-Infinity'])}`) };
    }
  }
}

const INVALID_JSON = ['{', '{"title": "x"', "{'title': 'x'}", '{"title": "x",}', 'nul', '[1,2', '{"a":1}{"b":2}', '\u0000', '{"title": "\\x"}', '"unterminated'];
const WRONG_ROOTS = ['[]', '[{"title":"x"}]', '1', '-1', '"a string"', 'true', 'null', '{}'];
const WRONG_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'json', 'text/json'];
// No `..` or `%2F`: fetch would resolve them into another route before sending.
const BAD_IDS = ['abc', '123', 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', `${randomUUID()}x`, 'x'.repeat(300), '%00', 'null', 'undefined', `{${randomUUID()}}`, randomUUID().replace(/-/g, ''), `${randomUUID()}%20`];
const BAD_IDEMPOTENCY_KEYS = ['x'.repeat(129), 'with space', 'tab\there', 'é-accent'];

describe('Bad input: a seeded fuzz of the API', () => {
  let cloud: RunningLocalCloud;
  let clients: SnapshotClients;
  let token: string;
  let sessionId: string;
  let queueUrl: string;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    clients = snapshotClients(cloud.awsEndpoint);
    token = await localToken(cloud.dataDir, HOST);
    const host = new SessionApi(cloud, token);
    ({ sessionId } = await host.createSession('Fuzzed'));
    await host.waitLive(sessionId, 90_000);
    queueUrl = (await readSessionRecord(cloud.awsEndpoint, sessionId))?.queueUrl ?? '';
  }, 150_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  /** Builds the requests: every authorized route, broken in every way the generator knows. */
  function generate(r: Random): BadRequest[] {
    const routes = API_ROUTES.filter((route) => route.authorized);
    const bodies = validBodies(`s3://${LOCAL_MEDIA_BUCKET}/${mediaOwnerPrefix(HOST)}intro.wav`);
    const json = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const requests: BadRequest[] = [];
    const pathWith = (route: ApiRoute, badId?: string) =>
      route.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => (badId !== undefined ? badId : name === 'sessionId' ? sessionId : randomUUID()));
    while (requests.length < REQUESTS) {
      const route = r.pick(routes);
      const key = `${route.method} ${route.path}`;
      const hasParams = route.path.includes('{');
      const valid = bodies[key];
      const kind = r.int(10);
      const request = (what: string, extra: Partial<BadRequest> = {}): BadRequest => ({
        what: `${key}: ${what}`,
        method: route.method,
        path: pathWith(route),
        headers: { ...json },
        ...extra,
      });
      if (kind === 0 && hasParams) {
        requests.push(request('a bad id in the path', { path: pathWith(route, r.pick(BAD_IDS)), ...(valid ? { body: JSON.stringify(r.pick(valid)) } : {}) }));
      } else if (kind === 1 && route.path.includes('{sessionId}')) {
        requests.push(request('a session that does not exist', { path: route.path.replace(/\{(\w+)\+?\}/g, () => randomUUID()), ...(valid ? { body: JSON.stringify(r.pick(valid)) } : {}) }));
      } else if (kind === 2 && route.method === 'POST') {
        requests.push(request('invalid JSON', { body: r.pick(INVALID_JSON) }));
      } else if (kind === 3 && route.method === 'POST') {
        requests.push(request('a wrong content type', { headers: { authorization: json.authorization, 'content-type': r.pick(WRONG_CONTENT_TYPES) }, body: JSON.stringify(valid ? r.pick(valid) : {}) }));
      } else if (kind === 4 && route.method === 'POST') {
        const size = MAX_REQUEST_BODY_BYTES + 1 + r.int(3 * MAX_REQUEST_BODY_BYTES);
        requests.push(request(`a body of ${size} bytes`, { body: JSON.stringify({ title: 'x'.repeat(size) }) }));
      } else if (kind === 5 && route.method === 'POST') {
        requests.push(request('a body of the wrong type at its root', { body: r.pick(WRONG_ROOTS) }));
      } else if (kind === 6 && route.method === 'POST' && valid && (key === 'POST /sessions' || key.endsWith('/commands'))) {
        // A malformed Idempotency-Key on an otherwise acceptable request.
        requests.push(request('a malformed Idempotency-Key', { headers: { ...json, 'idempotency-key': r.pick(BAD_IDEMPOTENCY_KEYS) }, body: JSON.stringify(r.pick(valid)) }));
      } else if (kind === 7) {
        const bad = r.pick(['', 'Bearer', 'Bearer x.y.z', `Bearer ${token.slice(0, -4)}AAAA`, `Basic ${Buffer.from('a:b').toString('base64')}`, token.split('').reverse().join('')]);
        requests.push(request('a bad token', { headers: { ...json, authorization: bad }, ...(valid ? { body: JSON.stringify(r.pick(valid)) } : {}) }));
      } else if (route.method === 'POST' && valid) {
        const broken = breakBody(r.pick(valid), key, r);
        if (broken) requests.push(request(broken.what, { body: broken.text }));
      }
    }
    return requests;
  }

  it(`answers ${REQUESTS} generated bad requests with a 4xx and {code, message}, never a 5xx, and changes nothing`, async () => {
    const requests = generate(prng(SEED));
    for (const route of API_ROUTES.filter((r) => r.authorized)) {
      await fetch(`${cloud.apiUrl}${route.path.replace(/\{(\w+)\+?\}/g, 'warm-up')}`, {
        method: route.method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: route.method === 'POST' ? '[]' : undefined,
      });
    }
    const before = await takeSnapshot(clients, [queueUrl]);

    const answers: { what: string; status: number; body: string }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const response = await fetch(`${cloud.apiUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
        answers.push({ what: request.what, status: response.status, body: await response.text() });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(answers).toHaveLength(REQUESTS);
    const wrong = answers.filter(({ status, body }) => {
      if (status < 400 || status >= 500) return true;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return true;
      }
      if (status === 401) return parsed.message !== 'Unauthorized';
      return typeof parsed.code !== 'string' || typeof parsed.message !== 'string';
    });
    expect(wrong.slice(0, 20)).toEqual([]);
    expect([...new Set(answers.map((a) => a.status))].sort()).toEqual([400, 401, 404, 413, 415]);
    expect(await takeSnapshot(clients, [queueUrl])).toEqual(before);
  }, 120_000);

  it('refuses every hostile programUrl of the list with 400 naming body.programUrl, and queues nothing', async () => {
    const host = new SessionApi(cloud, token);
    const before = await takeSnapshot(clients, [queueUrl]);

    const answers = [];
    for (const programUrl of HOSTILE_PROGRAM_URLS) {
      answers.push({ programUrl, ...(await host.request('POST', `/sessions/${sessionId}/commands`, { type: 'PLAY_MEDIA', programId: 'hostile', programUrl })) });
    }

    for (const answer of answers) {
      expect(answer, answer.programUrl).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'body.programUrl' })] } });
    }
    expect(await takeSnapshot(clients, [queueUrl])).toEqual(before);
  }, 60_000);

  it('still serves the host afterwards: the session is LIVE and a good command is accepted', async () => {
    const host = new SessionApi(cloud, token);

    expect((await host.request('GET', `/sessions/${sessionId}`)).body.status).toBe('LIVE');
    expect((await host.applied(sessionId, { type: 'SET_VOLUME', volume: 0.5 })).status).toBe('APPLIED');
  }, 60_000);
});
