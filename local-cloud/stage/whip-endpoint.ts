/**
 * The local stage's WHIP endpoint (RFC 9725, non-trickle), mounted by the gateway under `/_stage/`:
 * `POST /whip` with the participant token as bearer and an SDP offer → 201 with the answer, `Location`
 * and `ETag`; `DELETE /whip/<resource>` (same bearer) ends the publication; `PATCH` (trickle ICE) → 405;
 * `OPTIONS` answers CORS preflights from loopback origins; `GET /participants` lists who publishes on the
 * bearer token's stage (participants-endpoint.ts). Tokens and SDP never reach a log or an error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { checkOffer, InvalidOfferError } from './sdp.ts';
import { StageParticipants, type LeaveReason } from './stage-participants.ts';
import type { StageParticipantClaims, VerifyParticipantToken } from './participant-claims.ts';
import { WhipPublication } from './whip-publication.ts';
import { answerParticipants, PARTICIPANTS_SUB_PATH } from './participants-endpoint.ts';

/** Largest SDP offer accepted. */
export const MAX_OFFER_BYTES = 64 * 1024;
/** How long a publication may take to connect after its answer before it is dropped. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** A handler the gateway mounts: answers and returns true when the sub-path is the stage's, else false. */
export type StageRequestHandler = (req: IncomingMessage, res: ServerResponse, subPath: string) => Promise<boolean>;

/** What a publication needs from the peer-connection layer (werift in production). */
export interface PublicationFactory {
  (resourceId: string, callbacks: ConstructorParameters<typeof WhipPublication>[1]): Pick<WhipPublication, 'answer' | 'close'>;
}

export interface WhipEndpointOptions {
  verify: VerifyParticipantToken;
  participants?: StageParticipants;
  /** Origins allowed by CORS; default any http(s) origin on 127.0.0.1 or localhost. */
  isAllowedOrigin?: (origin: string) => boolean;
  connectTimeoutMs?: number;
  createPublication?: PublicationFactory;
  now?: () => Date;
  /** Told about failures no HTTP answer reports (a publication that failed to close). */
  onError?: (message: string, error: unknown) => void;
}

interface Publication {
  resourceId: string;
  participantId: string;
  etag: string;
  peer: Pick<WhipPublication, 'answer' | 'close'>;
  connectTimer?: NodeJS.Timeout;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

/** The WHIP endpoint of every local stage. */
export class WhipEndpoint {
  readonly participants: StageParticipants;
  private readonly publications = new Map<string, Publication>();
  private readonly byParticipant = new Map<string, string>();

  constructor(private readonly options: WhipEndpointOptions) {
    this.participants = options.participants ?? new StageParticipants();
  }

  /** The gateway's hook: handles `/whip` and `/whip/<resource>`; false for any other sub-path. */
  readonly handle: StageRequestHandler = async (req, res, subPath) => {
    const path = `/${subPath.replace(/^\/+/, '')}`.replace(/\/+$/, '');
    if (path === PARTICIPANTS_SUB_PATH) return this.handleParticipants(req, res);
    const match = /^\/whip(?:\/([A-Za-z0-9-]+))?$/.exec(path);
    if (!match) return false;
    const resourceId = match[1];
    const cors = this.corsHeaders(req);
    try {
      if (req.method === 'OPTIONS') {
        send(res, 204, '', { ...cors, ...(resourceId ? {} : { 'accept-post': 'application/sdp' }) });
      } else if (!resourceId && req.method === 'POST') {
        const answer = await this.publish(req, mountBase(req, path));
        send(res, 201, answer.sdp, { ...cors, 'content-type': 'application/sdp', location: answer.location, etag: answer.etag });
      } else if (resourceId && req.method === 'DELETE') {
        await this.unpublish(req, resourceId);
        send(res, 200, '', cors);
      } else if (resourceId && req.method === 'PATCH') {
        throw new HttpError(405, 'Trickle ICE and ICE restarts are not supported: send a complete offer', { allow: 'DELETE, OPTIONS' });
      } else {
        throw new HttpError(405, 'Method not allowed', { allow: resourceId ? 'DELETE, OPTIONS' : 'POST, OPTIONS' });
      }
    } catch (error) {
      if (error instanceof HttpError) send(res, error.status, `${error.message}\n`, { ...cors, ...error.headers, 'content-type': 'text/plain' });
      else {
        this.options.onError?.('WHIP request failed', error);
        send(res, 500, 'The stage could not take the publication\n', { ...cors, 'content-type': 'text/plain' });
      }
    }
    return true;
  };

  /** `GET /participants` (participants-endpoint.ts): who publishes on the bearer token's stage. */
  private async handleParticipants(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const cors = { ...this.corsHeaders(req), 'access-control-allow-methods': 'GET, OPTIONS' };
    try {
      if (req.method === 'OPTIONS') send(res, 204, '', cors);
      else if (req.method === 'GET' || req.method === 'HEAD') answerParticipants(req, res, this.participants, await this.authorize(req), cors);
      else throw new HttpError(405, 'Method not allowed', { allow: 'GET, OPTIONS' });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      send(res, error.status, `${error.message}\n`, { ...cors, ...error.headers, 'content-type': 'text/plain' });
    }
    return true;
  }

  /** Ends every publication (the stage shuts down). */
  async close(): Promise<void> {
    await Promise.all([...this.publications.keys()].map((id) => this.end(id, 'STAGE_CLOSED')));
  }

  private async publish(req: IncomingMessage, base: string): Promise<{ sdp: string; location: string; etag: string }> {
    const claims = await this.authorize(req);
    if (!claims.capabilities?.allow_publish) throw new HttpError(403, 'The participant token does not allow publishing');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/sdp') throw new HttpError(415, 'The offer must be sent as application/sdp');
    const offer = (await readBody(req, MAX_OFFER_BYTES)).toString('utf8');
    try {
      checkOffer(offer);
    } catch (error) {
      if (error instanceof InvalidOfferError) throw new HttpError(400, error.message);
      throw error;
    }

    const previous = this.byParticipant.get(claims.jti);
    if (previous) await this.end(previous, 'REPLACED');

    const resourceId = randomUUID();
    const participants = this.participants;
    const peer = (this.options.createPublication ?? ((id, callbacks) => new WhipPublication(id, callbacks)))(resourceId, {
      onAudioRtp: (trackId, packet) =>
        participants.deliverAudio(resourceId, trackId, {
          sequenceNumber: packet.header.sequenceNumber,
          timestamp: packet.header.timestamp,
          payload: packet.payload,
          receivedAtMs: Date.now(),
        }),
      onVideoRtp: () => participants.countVideo(resourceId),
      onStateChange: (state) => this.stateChanged(resourceId, state),
    });
    const publication: Publication = { resourceId, participantId: claims.jti, etag: `"${randomBytes(8).toString('hex')}"`, peer };
    let sdp: string;
    try {
      sdp = await peer.answer(offer);
    } catch (error) {
      await peer.close().catch(() => undefined);
      // werift's messages describe the SDP, never the token: safe to return (shortened).
      const detail = error instanceof Error ? `: ${error.message.slice(0, 200)}` : '';
      throw new HttpError(400, `The offer could not be negotiated${detail}`);
    }
    this.publications.set(resourceId, publication);
    this.byParticipant.set(claims.jti, resourceId);
    participants.join(
      {
        participantId: claims.jti,
        stageArn: claims.resource,
        userId: claims.user_id,
        attributes: claims.attributes ?? {},
        resourceId,
      },
      this.now(),
    );
    participants.setState(resourceId, 'connecting');
    publication.connectTimer = setTimeout(() => {
      if (participants.byResourceId(resourceId)?.state !== 'connected') void this.end(resourceId, 'CONNECT_TIMEOUT');
    }, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    publication.connectTimer.unref();
    return { sdp, location: `${base}/whip/${resourceId}`, etag: publication.etag };
  }

  private async unpublish(req: IncomingMessage, resourceId: string): Promise<void> {
    const claims = await this.authorize(req);
    const publication = this.publications.get(resourceId);
    if (!publication) throw new HttpError(404, 'No such WHIP resource');
    if (publication.participantId !== claims.jti) throw new HttpError(403, 'The WHIP resource belongs to another participant');
    await this.end(resourceId, 'DELETED');
  }

  private async authorize(req: IncomingMessage): Promise<StageParticipantClaims> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'A participant token is required as bearer', { 'www-authenticate': 'Bearer' });
    try {
      return await this.options.verify(match[1]!);
    } catch {
      throw new HttpError(401, 'The participant token is not valid', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
  }

  private stateChanged(resourceId: string, state: Parameters<WhipEndpoint['participants']['setState']>[1]): void {
    if (!this.publications.has(resourceId)) return;
    this.participants.setState(resourceId, state);
    if (state === 'failed') void this.end(resourceId, 'CONNECTION_FAILED');
    else if (state === 'closed') void this.end(resourceId, 'CONNECTION_CLOSED');
  }

  private async end(resourceId: string, reason: LeaveReason): Promise<void> {
    const publication = this.publications.get(resourceId);
    if (!publication) return;
    this.publications.delete(resourceId);
    if (this.byParticipant.get(publication.participantId) === resourceId) this.byParticipant.delete(publication.participantId);
    clearTimeout(publication.connectTimer);
    this.participants.leave(resourceId, reason, this.now());
    await publication.peer.close().catch((error: unknown) => this.options.onError?.('A publication did not close', error));
  }

  private corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin) return {};
    const allowed = this.options.isAllowedOrigin ?? ((o: string) => LOOPBACK_ORIGIN.test(o));
    if (!allowed(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'POST, DELETE, PATCH, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, if-match',
      'access-control-expose-headers': 'location, etag, accept-post',
      'access-control-max-age': '600',
      vary: 'origin',
    };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** The absolute URL of the mount point (`http://host:port/_stage`) from the request and its sub-path. */
function mountBase(req: IncomingMessage, subPath: string): string {
  const pathname = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  const mount = pathname.endsWith(subPath) ? pathname.slice(0, pathname.length - subPath.length) : '';
  return `http://${req.headers.host ?? '127.0.0.1'}${mount}`;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `The offer is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}
