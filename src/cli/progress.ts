import type { ProgressFn } from '../core/encoder';

/** A progress line on stderr: redrawn in place on a terminal, one line per stage change otherwise. */
export function stderrProgress(enabled: boolean): ProgressFn {
  if (!enabled) return () => {};
  const tty = process.stderr.isTTY === true;
  let lastStage = '';
  let lastDraw = 0;
  return (stage, fraction, detail) => {
    const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    if (tty) {
      const now = Date.now();
      if (now - lastDraw < 100 && stage === lastStage && pct < 100) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      process.stderr.write(`\r[${bar}] ${String(pct).padStart(3)}% ${stage}${detail ? ` (${detail})` : ''}`.padEnd(90));
      if (stage === 'done') process.stderr.write('\n');
    } else if (stage !== lastStage) {
      process.stderr.write(`${stage}...\n`);
    }
    lastStage = stage;
  };
}
