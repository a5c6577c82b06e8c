/** Puts a `Track Created` event on the default bus (the track-created rule sends it to shelcaster-measure-track). */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TRACK_CREATED_DETAIL_TYPE, TRACK_EVENT_SOURCE, type TrackCreatedDetail } from '#contract/index';
import { eventBridgeClient } from '#clients/eventbridge';

/** Puts the event; throws when EventBridge refuses the entry. */
export async function putTrackCreatedEvent(detail: TrackCreatedDetail): Promise<void> {
  const { FailedEntryCount, Entries } = await eventBridgeClient.send(
    new PutEventsCommand({ Entries: [{ Source: TRACK_EVENT_SOURCE, DetailType: TRACK_CREATED_DETAIL_TYPE, Detail: JSON.stringify(detail) }] }),
  );
  if (FailedEntryCount) throw new Error(`PutEvents refused the track event: ${Entries?.[0]?.ErrorCode ?? 'unknown error'}`);
}
