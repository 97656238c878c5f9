/**
 * A pipeline run under a cancellable progress notification, with an inference worker when the models need one
 * (bundled or ONNX encoders): started lazily, stopped on cancel (not at its next check) and disposed at the end.
 * Shared by every command that runs a pipeline: Analyze (and its re-analysis on save), Compare Data Sources and
 * Curate Training Set.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProgressFn } from '../core/encoder';
import type { InferenceBackend, ModelSpec } from '../pipeline/types';
import type { Ctx } from './ctx';
import { needsInference } from './models';
import { ProgressTracker } from './progress';

export interface InferenceRun {
  /** Present when a side needs encoders. */
  inference?: InferenceBackend;
  signal: AbortSignal;
  progress: ProgressFn;
}

export async function withInferenceProgress<T>(
  ctx: Ctx,
  title: string,
  specs: { weak: ModelSpec; strong: ModelSpec },
  controller: AbortController,
  body: (run: InferenceRun) => Promise<T>,
  { background = false }: { background?: boolean } = {},
): Promise<T> {
  // A background run (re-analysis on save) shows in the status bar and is cancelled by its controller only.
  const where = background
    ? { location: vscode.ProgressLocation.Window, title }
    : { location: vscode.ProgressLocation.Notification, title, cancellable: true };
  return vscode.window.withProgress(where, async (progress, token) => {
    let inference: (InferenceBackend & { dispose(): Promise<void> }) | undefined;
    // Stop the worker at once on any abort (a cancel click or a newer save), not at its next cancellation check.
    const stop = () => void inference?.dispose();
    controller.signal.addEventListener('abort', stop, { once: true });
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      if (needsInference(specs.weak) || needsInference(specs.strong)) {
        const { createInferenceClient } = await import('../inference/client');
        const cfg = ctx.config;
        inference = createInferenceClient({
          workerPath: ctx.asAbsolutePath(path.join('dist', 'worker.js')),
          device: cfg.device,
          ...(cfg.threads > 0 ? { threads: cfg.threads } : {}),
        });
      }
      const tracker = new ProgressTracker();
      return await body({
        ...(inference ? { inference } : {}),
        signal: controller.signal,
        progress: (stage, fraction, detail) => {
          if (!controller.signal.aborted) progress.report(tracker.step(stage, fraction, detail));
        },
      });
    } finally {
      sub.dispose();
      controller.signal.removeEventListener('abort', stop);
      await inference?.dispose().catch(() => undefined);
    }
  });
}
