/**
 * The events WebSocket of the local stage (the token's `events_url`), as the IVS web SDK 1.41.0 speaks it
 * (../../docs/local-cloud.md, "The local stage"): the participant token comes as the WebSocket subprotocol and
 * is echoed; the server sends `aws:ivs:STAGE_STATE` snapshots of the whole stage, numbered by a strictly
 * increasing `sequenceNumber` per connection, on open and after every change; it answers `PING` with `PONG`
 * and takes `SET_STATE` (mute and video state). A token it refuses gets `aws:ivs:JOIN_ERROR` (the SDK asks
 * for errors over the socket with `error_over_ws=1`) and the socket is closed. `aws:ivs:DISCONNECT` ends a
 * connection: `TOKEN_REUSED` when the same token connects again (the newer connection stays),
 * `STAGE_DELETED` and `PARTICIPANT_DISCONNECTED` from the control plane.
 *
 * LIMITATIONS: no `xdp` (SDP over the socket), no `SUBSCRIBER_COUNT`, `REASSIGN`, `SSU` or token exchange;
 * no server-side pings (a browser that vanishes without closing its socket stays listed until TCP notices).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkStageOfClaims, rejectionReasonOf, TokenRejectedError, type StageParticipantClaims, type VerifyParticipantToken } from './participant-claims.ts';
import { joinErrorFor, rejectionMessage, type DisconnectCode, type JoinErrorCode } from './stage-errors.ts';
import type { StageParticipants } from './stage-participants.ts';

/** Largest message a client may send (its messages are a few dozen bytes). */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long the server waits for the client to close after a JOIN_ERROR or DISCONNECT before it closes. */
const CLOSE_AFTER_MS = 1_000;
/** WebSocket close code for a refused or ended connection (policy violation). */
const POLICY_CLOSE = 1008;

export interface StageEventsOptions {
  verify: VerifyParticipantToken;
  participants: StageParticipants;
  now?: () => Date;
  /** Told about failures nobody else hears of. */
  onError?: (message: string, error: unknown) => void;
}

interface EventsConnection {
  socket: WebSocket;
  claims: StageParticipantClaims;
  sequenceNumber: number;
  ended: boolean;
}

/** The `topic` query of an events connection: `<stage id>/publishers`. */
export function expectedTopic(claims: StageParticipantClaims): string {
  return `${claims.topic}/publishers`;
}

/** Every events connection of every local stage. */
export class StageEvents {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // The SDK sends its token as the only subprotocol; a browser drops a handshake that does not echo it.
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  /** The current connection of each participant (by participant id). */
  private readonly connections = new Map<string, EventsConnection>();
  private readonly pendingSnapshots = new Set<string>();
  private readonly stopListening: () => void;

  constructor(private readonly options: StageEventsOptions) {
    const onChange = (stageArn: string) => this.scheduleSnapshot(stageArn);
    options.participants.on('stageChanged', onChange);
    this.stopListening = () => options.participants.off('stageChanged', onChange);
  }

  /** Handles an upgrade request for the events path: verifies the token, then accepts (or refuses over the socket). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const token = (req.headers['sec-websocket-protocol'] ?? '').split(',')[0]!.trim();
    const topic = new URL(req.url ?? '/', 'http://stage').searchParams.get('topic');
    void this.admit(token, topic).then((admission) => {
      this.server.handleUpgrade(req, socket, head, (ws) => {
        if ('refusal' in admission) this.refuse(ws, admission.refusal, admission.message);
        else this.accept(ws, admission.claims);
      });
    });
  }

  /** Ends every connection of a stage with `DISCONNECT` (the stage was deleted). */
  endStage(stageArn: string, code: DisconnectCode, reason: string): void {
    for (const connection of [...this.connections.values()]) {
      if (connection.claims.resource === stageArn) this.end(connection, code, reason);
    }
  }

  /** Ends a participant's connection with `DISCONNECT` (DisconnectParticipant). */
  endParticipant(participantId: string, code: DisconnectCode, reason: string): void {
    const connection = this.connections.get(participantId);
    if (connection) this.end(connection, code, reason);
  }

  /** Participant ids with an open connection (tests). */
  connectedParticipants(): string[] {
    return [...this.connections.keys()];
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    this.stopListening();
    for (const connection of this.connections.values()) connection.socket.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async admit(token: string, topic: string | null): Promise<{ claims: StageParticipantClaims } | { refusal: JoinErrorCode; message: string }> {
    if (!token) return { refusal: 'TOKEN_MISSING', message: 'A participant token is required as the WebSocket subprotocol' };
    try {
      const claims = await this.options.verify(token);
      checkStageOfClaims(claims);
      if (topic !== expectedTopic(claims)) throw new TokenRejectedError('The participant token is for another stage', 'WRONG_STAGE');
      return { claims };
    } catch (error) {
      const reason = rejectionReasonOf(error);
      return { refusal: joinErrorFor(reason), message: rejectionMessage(reason) };
    }
  }

  private accept(socket: WebSocket, claims: StageParticipantClaims): void {
    const previous = this.connections.get(claims.jti);
    if (previous) this.end(previous, 'TOKEN_REUSED', 'The participant token was used for another connection');
    const connection: EventsConnection = { socket, claims, sequenceNumber: 0, ended: false };
    this.connections.set(claims.jti, connection);
    socket.on('message', (data, isBinary) => this.receive(connection, isBinary ? '' : data.toString()));
    socket.on('close', () => this.closed(connection));
    socket.on('error', (error) => this.options.onError?.('An events connection failed', error));
    this.options.participants.connect(
      { participantId: claims.jti, stageArn: claims.resource, ...(claims.user_id ? { userId: claims.user_id } : {}), attributes: claims.attributes ?? {} },
      this.options.now?.() ?? new Date(),
    );
    // connect() announced the change; a previous connection of the same participant left nothing to change.
    this.scheduleSnapshot(claims.resource);
  }

  private refuse(socket: WebSocket, code: JoinErrorCode, message: string): void {
    send(socket, { type: 'aws:ivs:JOIN_ERROR', payload: { code, message } });
    closeSoon(socket, message);
  }

  private end(connection: EventsConnection, code: DisconnectCode, reason: string): void {
    if (connection.ended) return;
    connection.ended = true;
    if (this.connections.get(connection.claims.jti) === connection) {
      this.connections.delete(connection.claims.jti);
      if (code !== 'TOKEN_REUSED') this.options.participants.disconnect(connection.claims.jti);
    }
    send(connection.socket, { type: 'aws:ivs:DISCONNECT', payload: { code, reason } });
    closeSoon(connection.socket, reason);
  }

  private receive(connection: EventsConnection, text: string): void {
    if (connection.ended) return;
    let message: { type?: unknown; audioMuted?: unknown; videoStopped?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'PING') {
      send(connection.socket, { type: 'PONG' });
    } else if (message.type === 'SET_STATE') {
      this.options.participants.setMediaState(connection.claims.jti, {
        audioMuted: message.audioMuted === true,
        videoStopped: message.videoStopped === true,
      });
    }
  }

  private closed(connection: EventsConnection): void {
    if (this.connections.get(connection.claims.jti) !== connection) return;
    this.connections.delete(connection.claims.jti);
    this.options.participants.disconnect(connection.claims.jti);
  }

  /** Sends one snapshot per stage per turn of the event loop, however many changes it had. */
  private scheduleSnapshot(stageArn: string): void {
    if (this.pendingSnapshots.has(stageArn)) return;
    this.pendingSnapshots.add(stageArn);
    setImmediate(() => {
      this.pendingSnapshots.delete(stageArn);
      this.sendSnapshot(stageArn);
    });
  }

  private sendSnapshot(stageArn: string): void {
    const { participants, disconnected } = this.options.participants.snapshot(stageArn);
    for (const connection of this.connections.values()) {
      if (connection.ended || connection.claims.resource !== stageArn) continue;
      connection.sequenceNumber++;
      send(connection.socket, {
        type: 'aws:ivs:STAGE_STATE',
        payload: { sequenceNumber: connection.sequenceNumber, participants, disconnected, serverFeatures: [] },
      });
    }
  }
}

function send(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/** Closes a socket after the client had time to read the last message and close it itself. */
function closeSoon(socket: WebSocket, reason: string): void {
  setTimeout(() => {
    if (socket.readyState === socket.OPEN) socket.close(POLICY_CLOSE, reason.slice(0, 120));
  }, CLOSE_AFTER_MS).unref();
}
