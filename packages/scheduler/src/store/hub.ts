/**
 * In-process notifications after commit: per-job "new events stored" (Watch streams read
 * the database by seq and use this only as a wake-up) and a global "work available".
 */
import { EventEmitter } from 'node:events';

export class EventHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  /** Tells watchers of `jobId` that events up to `seq` are stored. */
  jobEvents(jobId: string, seq: number): void {
    this.emitter.emit(`job:${jobId}`, seq);
  }

  /** Subscribes to a job's stored events; returns the unsubscribe function. */
  onJob(jobId: string, fn: (seq: number) => void): () => void {
    this.emitter.on(`job:${jobId}`, fn);
    return () => this.emitter.off(`job:${jobId}`, fn);
  }

  /** Signals that tasks may be available (submit, requeue, freed slot). */
  wake(): void {
    this.emitter.emit('wake');
  }

  /** Subscribes to wake-ups; returns the unsubscribe function. */
  onWake(fn: () => void): () => void {
    this.emitter.on('wake', fn);
    return () => this.emitter.off('wake', fn);
  }

  close(): void {
    this.emitter.removeAllListeners();
  }
}
