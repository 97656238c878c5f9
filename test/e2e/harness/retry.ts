// Polling with a deadline: the workbench renders asynchronously, so every UI step is "try, look, try again".

export interface RetryOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between tries (default 250 ms). */
  intervalMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it returns a value other than `undefined` (a thrown error also means "not yet").
 * On time-out throws an error naming `what`, the number of tries and the last error seen.
 */
export async function retry<T>(
  what: string,
  attempt: (tryIndex: number) => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 }: RetryOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let i = 0; ; i++) {
    try {
      const value = await attempt(i);
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message.split('\n')[0]}` : '';
      throw new Error(`${what}: gave up after ${timeoutMs} ms and ${i + 1} tries${why}`);
    }
    await sleep(intervalMs);
  }
}

/** Rejects with a clear message if `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
