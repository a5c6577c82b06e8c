/** What every IVS operation works with. */
import type { IvsStore } from './store.ts';
import type { ParticipantTokenSigner } from './tokens.ts';
import type { CompositionLifecycle } from './compositions.ts';
import type { Json } from './validation.ts';

export interface StageEndpointUrls {
  whip: string;
  events: string;
}

export interface IvsContext {
  store: IvsStore;
  signer: ParticipantTokenSigner;
  compositions: CompositionLifecycle;
  endpoints: StageEndpointUrls;
  now: () => Date;
  /** Region from the request's credential scope. */
  region: string;
  /** Compositions that may run at once (IVS's quota, as the operator set it). */
  compositionQuota: number;
  stageDeleted: (stageArn: string) => void;
  participantDisconnected: (stageArn: string, participantId: string) => void;
}

/** One operation: the parsed JSON body in, the JSON answer out. */
export type IvsOperation = (ctx: IvsContext, body: Json) => Promise<unknown> | unknown;

/** The stage's endpoints from the local stage's base URL (`http://host:port/_stage`). */
export function stageEndpointUrls(stageBaseUrl: string): StageEndpointUrls {
  const base = stageBaseUrl.replace(/\/+$/, '');
  return { whip: `${base}/whip`, events: `${base.replace(/^http/, 'ws')}/events` };
}
