/**
 * Exact span counters of one pipeline. Every span accepted into the queue ends in exactly one of
 * exported, failed or (still) queued, so `accepted = exported + failed + queued` always holds;
 * `dropped` counts spans that were never accepted.
 */
export interface PipelineStats {
  /** Spans held in memory now: waiting in the queue or in the batch being exported. */
  queued: number;
  /** Spans the exporter acknowledged. */
  exported: number;
  /** Spans refused: queue full, pipeline shut down, or removed by a failing redactor in drop mode. */
  dropped: number;
  /** Accepted spans given up on: retries exhausted, a permanent export error, or shutdown's deadline. */
  failed: number;
  /** Export attempts that failed (each retry counts). */
  exportErrors: number;
  /** Spans the redactor threw on (exported stripped or dropped, per the failure mode). */
  redactionFailures: number;
  /** Why the latest export attempt failed, when one did. */
  lastExportError?: string;
}

/** The mutable counters behind PipelineStats, shared by the stages that own each number. */
export class PipelineCounters {
  exported = 0;
  dropped = 0;
  failed = 0;
  exportErrors = 0;
  redactionFailures = 0;
  lastExportError: string | undefined;

  snapshot(queued: number): PipelineStats {
    const stats: PipelineStats = {
      queued,
      exported: this.exported,
      dropped: this.dropped,
      failed: this.failed,
      exportErrors: this.exportErrors,
      redactionFailures: this.redactionFailures,
    };
    if (this.lastExportError !== undefined) stats.lastExportError = this.lastExportError;
    return stats;
  }
}
