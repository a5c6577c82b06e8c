/**
 * A minimal WHIP endpoint for the controller's integration tests (werift, loopback, non-trickle):
 * `POST /whip` (bearer must match) answers 201 with Location; `POST /moved` answers 307 to /whip;
 * `DELETE /whip/<id>` ends the publication. It records the audio RTP it receives.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

export interface ReceivedAudioPacket {
  atMs: number;
  payloadBytes: number;
}

export interface WhipTestEndpoint {
  origin: string;
  audio: ReceivedAudioPacket[];
  videoPackets: () => number;
  requests: { method: string; path: string; authorization: string | undefined }[];
  deleted: string[];
  /** The only bearer token accepted (set once the token naming this endpoint's URL exists). */
  acceptedToken: string;
  close(): Promise<void>;
}

/** Starts the endpoint; only `acceptedToken` is accepted as bearer. */
export async function startWhipTestEndpoint(): Promise<WhipTestEndpoint> {
  const audio: ReceivedAudioPacket[] = [];
  let video = 0;
  const requests: WhipTestEndpoint['requests'] = [];
  const deleted: string[] = [];
  const peers = new Map<string, RTCPeerConnection>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
      if (!endpoint.acceptedToken || req.headers.authorization !== `Bearer ${endpoint.acceptedToken}`) return void res.writeHead(401).end();
      if (req.method === 'POST' && path === '/moved') return void res.writeHead(307, { location: '/whip' }).end();
      if (req.method === 'POST' && path === '/whip') {
        const offer = await readBody(req);
        const pc = new RTCPeerConnection({
          codecs: {
            audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
            video: [
              new RTCRtpCodecParameters({
                mimeType: 'video/H264',
                clockRate: 90_000,
                parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
              }),
            ],
          },
          iceServers: [],
          iceUseIpv6: false,
          iceInterfaceAddresses: { udp4: '127.0.0.1' },
        });
        pc.onTrack.subscribe((track) => {
          track.onReceiveRtp.subscribe((packet) => {
            if (track.kind === 'audio') audio.push({ atMs: Date.now(), payloadBytes: packet.payload.length });
            else video++;
          });
        });
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        for (const t of pc.getTransceivers()) t.setDirection('recvonly');
        await pc.setLocalDescription(await pc.createAnswer());
        const id = randomUUID();
        peers.set(id, pc);
        return void res
          .writeHead(201, { 'content-type': 'application/sdp', location: `/whip/${id}` })
          .end(pc.localDescription?.sdp ?? '');
      }
      const resource = /^\/whip\/([\w-]+)$/.exec(path)?.[1];
      if (req.method === 'DELETE' && resource && peers.has(resource)) {
        await peers.get(resource)?.close();
        peers.delete(resource);
        deleted.push(resource);
        return void res.writeHead(200).end();
      }
      res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint: WhipTestEndpoint = {
    acceptedToken: '',
    origin: `http://127.0.0.1:${port}`,
    audio,
    videoPackets: () => video,
    requests,
    deleted,
    async close() {
      await Promise.all([...peers.values()].map((pc) => pc.close()));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return endpoint;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
