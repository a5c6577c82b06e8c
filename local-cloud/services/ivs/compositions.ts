/**
 * The lifecycle of a composition after StartComposition/StopComposition answered: STARTING → ACTIVE
 * (once the recorder started), STOPPING → STOPPED (once it stopped), FAILED when it could not. Each step
 * is saved and announced as an `IVS Composition State Change` event. Steps of one composition run one
 * after the other; `settled()` lets tests wait for them instead of sleeping.
 */
import type { CompositionRecorder, EventPublisher } from '#local-cloud/gateway/internal';
import type { CompositionRecord, IvsStore } from './store.ts';

/** EventBridge source and detail type of IVS composition events. */
export const IVS_EVENT_SOURCE = 'aws.ivs';
export const COMPOSITION_STATE_CHANGE = 'IVS Composition State Change';

type CompositionEventName =
  | 'Session Start'
  | 'Session End'
  | 'Session Failure'
  | 'Destination Start'
  | 'Destination End'
  | 'Destination Failure';

export interface CompositionLifecycleOptions {
  store: IvsStore;
  recorder?: CompositionRecorder;
  events?: EventPublisher;
  now: () => Date;
  /** Told about failures the API cannot report (a recorder that failed, an event not published). */
  onError?: (message: string, error: unknown) => void;
}

/** Drives compositions through their states and the injected recorder. */
export class CompositionLifecycle {
  private readonly chains = new Map<string, Promise<void>>();
  /** Compositions whose recording this process started (so only those are stopped). */
  private readonly recording = new Set<string>();

  constructor(private readonly options: CompositionLifecycleOptions) {}

  /** A composition was saved as STARTING: start its recording, then make it ACTIVE. */
  begin(arn: string): void {
    this.enqueue(arn, () => this.activate(arn));
  }

  /** Marks a STARTING or ACTIVE composition STOPPING and stops its recording. No-op once it is stopping. */
  stop(arn: string): void {
    const composition = this.options.store.compositions[arn];
    if (!composition || (composition.state !== 'STARTING' && composition.state !== 'ACTIVE')) return;
    composition.state = 'STOPPING';
    for (const destination of composition.destinations) destination.state = 'STOPPING';
    this.options.store.save();
    this.enqueue(arn, () => this.finishStop(arn));
  }

  /** After a restart: resumes compositions that were starting, live or stopping when the local cloud stopped. */
  resume(): void {
    for (const composition of Object.values(this.options.store.compositions)) {
      if (composition.state === 'STARTING') this.begin(composition.arn);
      else if (composition.state === 'ACTIVE') this.enqueue(composition.arn, () => this.restartRecording(composition.arn));
      else if (composition.state === 'STOPPING') this.enqueue(composition.arn, () => this.finishStop(composition.arn));
    }
  }

  /** Resolves when every pending step of every composition has run. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private enqueue(arn: string, step: () => Promise<void>): void {
    const previous = this.chains.get(arn) ?? Promise.resolve();
    const next = previous.then(step).catch((error: unknown) => this.options.onError?.(`Composition ${arn} step failed`, error));
    this.chains.set(arn, next);
    void next.then(() => {
      if (this.chains.get(arn) === next) this.chains.delete(arn);
    });
  }

  private async activate(arn: string): Promise<void> {
    const composition = this.options.store.compositions[arn];
    if (!composition || composition.state !== 'STARTING') return;
    try {
      await this.startRecording(composition);
    } catch (error) {
      await this.fail(composition, 'The composition recorder could not start', error);
      return;
    }
    if (composition.state !== 'STARTING') return; // stopped meanwhile: finishStop comes next
    const time = this.options.now().toISOString();
    composition.state = 'ACTIVE';
    for (const destination of composition.destinations) {
      destination.state = 'ACTIVE';
      destination.startTime = time;
    }
    this.options.store.save();
    await this.publish(composition, 'Session Start');
    for (const destination of composition.destinations) await this.publish(composition, 'Destination Start', { id: destination.id });
  }

  private async restartRecording(arn: string): Promise<void> {
    const composition = this.options.store.compositions[arn];
    if (!composition || composition.state !== 'ACTIVE') return;
    try {
      await this.startRecording(composition);
    } catch (error) {
      await this.fail(composition, 'The composition recorder could not resume after a restart', error);
    }
  }

  private async startRecording(composition: CompositionRecord): Promise<void> {
    const { recorder, store } = this.options;
    const s3 = composition.destinations.find((d) => d.configuration.s3 && d.detail);
    if (!recorder || !s3?.configuration.s3 || !s3.detail) return;
    const storage = store.storageConfigurations[s3.configuration.s3.storageConfigurationArn];
    if (!storage) throw new Error('The storage configuration of the composition no longer exists');
    await recorder.start({
      compositionArn: composition.arn,
      stageArn: composition.stageArn,
      bucketName: storage.s3.bucketName,
      recordingPrefix: s3.detail.s3.recordingPrefix,
    });
    this.recording.add(composition.arn);
  }

  private async finishStop(arn: string): Promise<void> {
    const composition = this.options.store.compositions[arn];
    if (!composition || composition.state !== 'STOPPING') return;
    if (this.recording.has(arn) && this.options.recorder) {
      try {
        await this.options.recorder.stop(arn);
      } catch (error) {
        this.recording.delete(arn);
        await this.fail(composition, 'The composition recorder could not stop cleanly', error);
        return;
      }
      this.recording.delete(arn);
    }
    const time = this.options.now().toISOString();
    composition.state = 'STOPPED';
    composition.endTime = time;
    for (const destination of composition.destinations) {
      destination.state = 'STOPPED';
      destination.endTime = time;
    }
    this.options.store.save();
    for (const destination of composition.destinations) await this.publish(composition, 'Destination End', { id: destination.id });
    await this.publish(composition, 'Session End');
  }

  private async fail(composition: CompositionRecord, reason: string, error: unknown): Promise<void> {
    this.options.onError?.(`${reason} (${composition.arn})`, error);
    const time = this.options.now().toISOString();
    composition.state = 'FAILED';
    composition.endTime = time;
    composition.failureReason = reason;
    for (const destination of composition.destinations) {
      destination.state = 'FAILED';
      destination.endTime = time;
    }
    this.options.store.save();
    for (const destination of composition.destinations) {
      await this.publish(composition, 'Destination Failure', { id: destination.id, reason });
    }
    await this.publish(composition, 'Session Failure', { reason });
  }

  private async publish(composition: CompositionRecord, eventName: CompositionEventName, extra: Record<string, unknown> = {}): Promise<void> {
    const { events } = this.options;
    if (!events) return;
    try {
      await events.publish({
        source: IVS_EVENT_SOURCE,
        detailType: COMPOSITION_STATE_CHANGE,
        resources: [composition.arn],
        detail: { event_name: eventName, stage_arn: composition.stageArn, ...extra },
        time: this.options.now(),
      });
    } catch (error) {
      this.options.onError?.(`Could not publish ${eventName} of ${composition.arn}`, error);
    }
  }
}
