/**
 * The local stage's HTTP and WebSocket face, mounted by the gateway under `/_stage/` (the token's `whip_url`
 * is `<mount>/whip`, its `events_url` `<mount>/events`):
 *
 * - `POST /whip/publish/<participant id>`: the web SDK publishes (its own participant id, the token as bearer);
 * - `POST /whip/subscribe/<participant id>`: the web SDK subscribes to a publisher of the token's stage;
 * - `POST /whip`: plain WHIP (RFC 9725) for encoders such as OBS; as on IVS, the offer needs H.264 video;
 * - `DELETE /whip/<resource>` (the answer's `Location`, same bearer) ends a publication or subscription;
 *   `PATCH` (trickle ICE, ICE restart) answers 405: offers and answers are complete;
 * - `POST /whip/<resource>/playback` and `GET`/`POST /whip/<resource>/layers`: a subscription's playback
 *   controls and layers, as IVS's answer links them (`Link` rels `urn:ietf:params:whep:core:playback-controls`
 *   and `urn:ietf:params:whep:ext:core:layer`; JSON bodies, same bearer). The web SDK sets its playback
 *   controller going only when both are linked, and then pauses the video of an audio-only subscription
 *   (`{pause: [mid]}`): without them a caller would be sent, and would sync its audio to, video it never shows;
 * - `OPTIONS` answers CORS preflights from any origin for these routes, with the `X-Stages-*` headers the SDK
 *   sends (IVS's endpoints allow any page origin); the CORS headers belong to these routes only;
 * - the WebSocket at `/events` (stage-events.ts).
 *
 * Errors are JSON `{code, message}` with IVS's WHIP codes (stage-errors.ts). Tokens and SDP never reach a log
 * or an error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkStageOfClaims, rejectionReasonOf, type StageParticipantClaims, type VerifyParticipantToken } from './participant-claims.ts';
import { httpErrorFor, StageHttpError, WHIP_ERROR } from './stage-errors.ts';
import { StageEvents } from './stage-events.ts';
import { StageMedia, type PublicationFactory, type SubscriptionFactory } from './stage-media.ts';
import { StageParticipants } from './stage-participants.ts';
import { prepareDtlsCertificate } from './loopback-peer.ts';

/** Largest SDP offer accepted. */
export const MAX_OFFER_BYTES = 64 * 1024;
/** The events WebSocket's path under the mount point. */
export const EVENTS_SUB_PATH = '/events';

/** Request headers the web SDK sends to the WHIP routes (a cross-origin page needs each allowed). */
export const SDK_REQUEST_HEADERS = [
  'x-stages-platform',
  'x-stages-request-id',
  'x-stages-sdk',
  'x-stages-session-id',
  'x-stages-trace-id',
  'x-stages-options',
  'x-stages-whip-version',
  'x-stages-initial-layer-pref',
] as const;

/** A handler the gateway mounts: answers and returns true when the sub-path is the stage's, else false. */
export type StageRequestHandler = (req: IncomingMessage, res: ServerResponse, subPath: string) => Promise<boolean>;

export interface StageEndpointOptions {
  verify: VerifyParticipantToken;
  participants?: StageParticipants;
  connectTimeoutMs?: number;
  createPublication?: PublicationFactory;
  createSubscription?: SubscriptionFactory;
  now?: () => Date;
  /** Told about failures no HTTP answer reports (a peer that failed to close). */
  onError?: (message: string, error: unknown) => void;
}

const CORS_HEADERS = {
  'access-control-allow-methods': 'GET, POST, DELETE, PATCH, OPTIONS',
  'access-control-allow-headers': ['authorization', 'content-type', 'if-match', ...SDK_REQUEST_HEADERS].join(', '),
  'access-control-expose-headers': 'location, link, etag, accept-post',
  'access-control-max-age': '600',
};

/** The routes of every local stage. */
export class StageEndpoint {
  readonly participants: StageParticipants;
  readonly media: StageMedia;
  readonly events: StageEvents;

  constructor(private readonly options: StageEndpointOptions) {
    this.participants = options.participants ?? new StageParticipants();
    this.media = new StageMedia({
      participants: this.participants,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.createPublication ? { createPublication: options.createPublication } : {}),
      ...(options.createSubscription ? { createSubscription: options.createSubscription } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.events = new StageEvents({
      verify: options.verify,
      participants: this.participants,
      ...(options.now ? { now: options.now } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    // The first publish would otherwise wait for it; a failure shows there (werift keeps the attempt).
    prepareDtlsCertificate().catch(() => undefined);
  }

  /** The gateway's HTTP hook: handles the stage's routes; false for any other sub-path. */
  readonly handle: StageRequestHandler = async (req, res, subPath) => {
    const path = `/${subPath.replace(/^\/+/, '')}`.replace(/\/+$/, '');
    const route = /^\/whip(?:\/(publish|subscribe)\/([A-Za-z0-9_-]+)|\/([A-Za-z0-9-]+)(?:\/(playback|layers))?)?$/.exec(path);
    if (!route) return false;
    const [, action, participantId, resourceId, control] = route;
    const cors = corsHeaders(req);
    try {
      if (req.method === 'OPTIONS') {
        send(res, 204, '', { ...cors, ...(resourceId ? {} : { 'accept-post': 'application/sdp' }) });
      } else if (resourceId && control) {
        await this.subscriptionControl(req, res, resourceId, control as 'playback' | 'layers', cors);
      } else if (resourceId) {
        if (req.method === 'DELETE') {
          await this.media.delete(await this.authorize(req), resourceId);
          send(res, 200, '', cors);
        } else if (req.method === 'PATCH') {
          throw new StageHttpError(405, WHIP_ERROR.UNSPECIFIED, 'Trickle ICE and ICE restarts are not supported: send a complete offer', { allow: 'DELETE, OPTIONS' });
        } else {
          throw new StageHttpError(405, WHIP_ERROR.UNSPECIFIED, 'Method not allowed', { allow: 'DELETE, OPTIONS' });
        }
      } else if (req.method === 'POST') {
        const claims = await this.authorize(req);
        const offer = await readOffer(req);
        let answer;
        if (action === 'subscribe') answer = await this.media.subscribe(claims, participantId!, offer);
        else {
          if (action === 'publish' && participantId !== claims.jti) {
            throw new StageHttpError(403, WHIP_ERROR.NO_PERMISSIONS, 'A participant publishes under its own participant id only');
          }
          answer = await this.media.publish(claims, offer, action === 'publish' ? 'sdk' : 'whip');
        }
        const location = `${mountBase(req, path)}/whip/${answer.resourceId}`;
        const links: Record<string, string> = action === 'subscribe' ? { link: subscriptionLinks(location) } : {};
        send(res, 201, answer.sdp, { ...cors, 'content-type': 'application/sdp', location, etag: answer.etag, ...links });
      } else {
        throw new StageHttpError(405, WHIP_ERROR.UNSPECIFIED, 'Method not allowed', { allow: 'POST, OPTIONS' });
      }
    } catch (error) {
      if (error instanceof StageHttpError) sendError(res, error, cors);
      else {
        this.options.onError?.('A stage request failed', error);
        sendError(res, new StageHttpError(500, WHIP_ERROR.UNSPECIFIED, 'The stage could not take the request'), cors);
      }
    }
    return true;
  };

  /** The gateway's upgrade hook: the events WebSocket; false for any other sub-path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, subPath: string): boolean {
    if (`/${subPath.replace(/^\/+/, '')}`.replace(/\/+$/, '') !== EVENTS_SUB_PATH) return false;
    this.events.upgrade(req, socket, head);
    return true;
  }

  /** The control plane deleted a stage: everyone on it is disconnected with STAGE_DELETED and its media ends. */
  async stageDeleted(stageArn: string): Promise<void> {
    this.events.endStage(stageArn, 'STAGE_DELETED', 'The stage has been deleted');
    await this.media.endStage(stageArn, 'STAGE_DELETED');
    this.participants.forgetStage(stageArn);
  }

  /** The control plane disconnected a participant (DisconnectParticipant). */
  async participantDisconnected(stageArn: string, participantId: string): Promise<void> {
    this.events.endParticipant(participantId, 'PARTICIPANT_DISCONNECTED', 'The participant has been disconnected from the stage');
    await this.media.endParticipant(participantId, 'PARTICIPANT_DISCONNECTED');
    this.participants.markKicked(stageArn, participantId);
  }

  /** Ends every publication, subscription and events connection (the stage shuts down). */
  async close(): Promise<void> {
    await this.events.close();
    await this.media.close();
  }

  /** A subscription's playback controls (POST) or layers (GET, POST), JSON in and out. */
  private async subscriptionControl(req: IncomingMessage, res: ServerResponse, resourceId: string, control: 'playback' | 'layers', cors: Record<string, string>): Promise<void> {
    const allowed = control === 'playback' ? ['POST'] : ['GET', 'POST'];
    if (!allowed.includes(req.method ?? '')) throw new StageHttpError(405, WHIP_ERROR.UNSPECIFIED, 'Method not allowed', { allow: [...allowed, 'OPTIONS'].join(', ') });
    const claims = await this.authorize(req);
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    if (control === 'playback') {
      this.media.playback(claims, resourceId, body);
      send(res, 204, '', cors);
      return;
    }
    const layers = this.media.layers(claims, resourceId, body);
    if (layers) send(res, 200, JSON.stringify(layers), { ...cors, 'content-type': 'application/json' });
    else send(res, 204, '', cors);
  }

  private async authorize(req: IncomingMessage): Promise<StageParticipantClaims> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new StageHttpError(401, WHIP_ERROR.UNSPECIFIED, 'A participant token is required as bearer', { 'www-authenticate': 'Bearer' });
    try {
      const claims = await this.options.verify(match[1]!);
      checkStageOfClaims(claims);
      return claims;
    } catch (error) {
      throw httpErrorFor(rejectionReasonOf(error));
    }
  }
}

/** CORS headers for a request from a page: any origin may use the stage's routes, as on IVS. */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  return { 'access-control-allow-origin': origin, ...CORS_HEADERS, vary: 'origin' };
}

/** The absolute URL of the mount point (`http://host:port/_stage`) from the request and its sub-path. */
function mountBase(req: IncomingMessage, subPath: string): string {
  const pathname = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  const mount = pathname.endsWith(subPath) ? pathname.slice(0, pathname.length - subPath.length) : '';
  return `http://${req.headers.host ?? '127.0.0.1'}${mount}`;
}

/** Links of a subscription's playback controls and layers, as IVS's subscribe answer gives them. */
function subscriptionLinks(location: string): string {
  return `<${location}/playback>; rel="urn:ietf:params:whep:core:playback-controls", <${location}/layers>; rel="urn:ietf:params:whep:ext:core:layer"`;
}

/** Largest JSON body of a playback or layer request. */
const MAX_CONTROL_BYTES = 4 * 1024;

/** Reads a JSON body of at most MAX_CONTROL_BYTES (a playback or layer request). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req, MAX_CONTROL_BYTES, 'The request');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StageHttpError(400, WHIP_ERROR.UNSPECIFIED, 'The request body is not JSON');
  }
}

/** Reads an `application/sdp` body of at most MAX_OFFER_BYTES. */
async function readOffer(req: IncomingMessage): Promise<string> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/sdp') throw new StageHttpError(415, WHIP_ERROR.UNSPECIFIED, 'The offer must be sent as application/sdp');
  return await readBody(req, MAX_OFFER_BYTES, 'The offer');
}

/** Reads a body of at most `maxBytes` as UTF-8 (413 past it, `what` naming it). */
async function readBody(req: IncomingMessage, maxBytes: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new StageHttpError(413, WHIP_ERROR.UNSPECIFIED, `${what} is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendError(res: ServerResponse, error: StageHttpError, cors: Record<string, string>): void {
  send(res, error.status, JSON.stringify({ code: error.code, message: error.message }), { ...cors, ...error.headers, 'content-type': 'application/json' });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}
