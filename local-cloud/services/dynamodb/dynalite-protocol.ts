/** Messages between the DynamoDB provider and its dynalite worker (dynalite-worker.ts). */

/** What the worker needs to start dynalite. */
export interface DynaliteWorkerData {
  /** LevelDB directory; in memory when absent. */
  path?: string;
}

/** A request to pass to dynalite as it came (hop-by-hop headers removed); `body` is transferred. */
export interface DynaliteRequest {
  type: 'request';
  id: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: ArrayBuffer;
}

export type ProviderToDynalite = DynaliteRequest | { type: 'close' };

export type DynaliteToProvider =
  | { type: 'ready' }
  | { type: 'response'; id: number; status: number; headers: Record<string, string>; body: ArrayBuffer }
  | { type: 'failed'; id: number; message: string }
  /** dynalite closed its server and database; the worker exits. */
  | { type: 'closed' };
