/**
 * How the local stage joins the local cloud: its routes mounted on the gateway under `/_stage/` (HTTP and
 * the events WebSocket), and the control plane's DeleteStage and DisconnectParticipant passed on to whoever
 * is on the stage.
 */
import type { ExtraRoute } from '../gateway/server.ts';
import type { StageEndpoint } from './stage-endpoint.ts';
import { STAGE_MOUNT_PATH, stageSubPath } from './stage-server.ts';

/** What the stage hears of the IVS control plane (the IVS provider has these). */
export interface StageControlPlane {
  onStageDeleted(listener: (stageArn: string) => void): () => void;
  onParticipantDisconnected(listener: (stageArn: string, participantId: string) => void): () => void;
}

/**
 * The gateway route of the stage: its HTTP routes and the events WebSocket; anything else under it is 404.
 * As on IVS, they answer pages of any origin (a caller's page is not the console's): they admit nothing but a
 * valid participant token for the stage. The gateway's Host check still holds for them.
 */
export function stageRoute(stage: StageEndpoint): ExtraRoute {
  return {
    prefix: `${STAGE_MOUNT_PATH}/`,
    anyOrigin: true,
    request: (req, res) => {
      void stage.handle(req, res, stageSubPath(req.url) ?? '/').then((handled) => {
        if (!handled && !res.headersSent) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('Not found\n');
        }
      });
    },
    upgrade: (req, socket, head) => {
      if (!stage.upgrade(req, socket, head, stageSubPath(req.url) ?? '/')) socket.destroy();
    },
  };
}

/** Disconnects the participants of deleted stages and removed participants (DISCONNECT over the events socket). */
export function followControlPlane(stage: StageEndpoint, controlPlane: StageControlPlane): () => void {
  const stopStages = controlPlane.onStageDeleted((stageArn) => void stage.stageDeleted(stageArn));
  const stopParticipants = controlPlane.onParticipantDisconnected((stageArn, participantId) => void stage.participantDisconnected(stageArn, participantId));
  return () => {
    stopStages();
    stopParticipants();
  };
}
