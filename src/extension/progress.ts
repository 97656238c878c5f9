/**
 * Turns the pipeline's `(stage, fraction, detail)` reports into what `window.withProgress` wants: an increment
 * in percent (VS Code adds them up) and a message. The bar never moves backwards; the message names the stage.
 */
export interface ProgressStep {
  /** Percent to add to the bar (>= 0). */
  increment: number;
  message: string;
}

export class ProgressTracker {
  private reported = 0;

  /** `fraction` is the whole analysis's progress in [0, 1]. */
  step(stage: string, fraction: number, detail?: string): ProgressStep {
    const pct = Math.max(0, Math.min(100, Number.isFinite(fraction) ? fraction * 100 : 0));
    const increment = Math.max(0, pct - this.reported);
    this.reported += increment;
    const message = `${stage}${detail ? ` (${detail})` : ''} · ${Math.floor(this.reported)}%`;
    return { increment, message };
  }

  get percent(): number {
    return this.reported;
  }
}
