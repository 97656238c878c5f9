/**
 * A pipeline run under a cancellable progress notification, with an inference worker when the models need one
 * (bundled or ONNX encoders): started lazily, stopped on cancel (not at its next check) and disposed at the end.
 * Shared by the commands that run a whole pipeline: Compare Data Sources and Curate Training Set.
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
): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let inference: (InferenceBackend & { dispose(): Promise<void> }) | undefined;
    const sub = token.onCancellationRequested(() => {
      controller.abort();
      void inference?.dispose();
    });
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
      await inference?.dispose().catch(() => undefined);
    }
  });
}
