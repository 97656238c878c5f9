// What an e2e test file exports: journeys, each run on a freshly started VS Code (see test/e2e/README.md).
import type { StartOptions, VSCode } from './session';

export interface Journey {
  /** Unique, human-readable; E2E_FILTER matches it. */
  name: string;
  /** How the runner starts VS Code for this journey (default: dev extension on fixtures/workspace, dark theme). */
  start?: StartOptions;
  /** Whole-journey limit, start-up excluded (default 180 s). */
  timeoutMs?: number;
  /** The steps and assertions (node:assert). Throwing fails the journey; the runner screenshots and stops VS Code. */
  run(h: VSCode): Promise<void>;
}
